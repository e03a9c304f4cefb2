import { EVENT_CHANNELS, METHOD_CHANNELS, type BridgeApi, type BridgeEventName, type BridgeMethodName, type Result } from './contract.ts';
import { BRIDGE_SOCKET_PATH, decodeWire, encodeWire, type PageMessage } from './web-wire.ts';

/**
 * The web preload: what preload/index.ts is to the Electron window, for the same renderer bundle in a browser.
 * The web shell's page loads it as a classic script before the renderer's module, so `window.bridge` exists
 * when main.tsx looks for it. Each method is an `invoke` over one WebSocket to main (same channels, same
 * Result values); events arrive as pushed messages. Alerts main pushes are shown as browser notifications
 * when the user allowed them, else as a notice in the page; a click goes back to main, which opens the view.
 */

const LOST: Result<never> = {
  ok: false,
  error: {
    code: 'unreachable',
    message: 'Lost the connection to Daytona Tray (did it stop?). Start it again with `daytona-tray app`, then reload this page.',
  },
};

function createWebBridge(): BridgeApi {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_SOCKET_PATH}`);
  const queue: string[] = [];
  const pending = new Map<number, (result: unknown) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let closed = false;

  const send = (message: PageMessage) => {
    const text = encodeWire(message);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  };
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('close', () => {
    closed = true;
    for (const resolve of pending.values()) resolve(LOST);
    pending.clear();
    showNotice({
      title: 'Disconnected from Daytona Tray',
      body: LOST.ok ? '' : LOST.error.message,
      buttons: [],
      onClick: undefined,
      sticky: true,
    });
  });
  socket.addEventListener('message', (event) => {
    const message = typeof event.data === 'string' ? decodeWire(event.data) : undefined;
    if (!message) return;
    if (message.t === 'result' && typeof message.id === 'number') {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else if (message.t === 'event' && typeof message.channel === 'string') {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
    } else if (message.t === 'notify') {
      showAlert(message as unknown as NotifyMessage, (button) =>
        send({ t: 'notification-click', notification: String(message.notification), ...(button === undefined ? {} : { button }) }),
      );
    }
  });

  const bridge: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(METHOD_CHANNELS) as [BridgeMethodName, string][]) {
    bridge[method] = (payload?: unknown) => {
      if (closed) return Promise.resolve(LOST);
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ t: 'invoke', id, channel, ...(payload === undefined ? {} : { payload }) });
      });
    };
  }
  // The clipboard that matters is the one of the machine the browser runs on (maybe not main's: SSH port
  // forwarding), so the page writes it itself.
  bridge.copyText = async (request: { text: string }): Promise<Result<void>> => {
    try {
      await navigator.clipboard.writeText(String(request?.text ?? ''));
      return { ok: true, value: undefined };
    } catch {
      return { ok: false, error: { code: 'failed', message: 'The browser did not allow copying: select the text and copy it yourself.' } };
    }
  };
  for (const [event, channel] of Object.entries(EVENT_CHANNELS) as [BridgeEventName, string][]) {
    bridge[event] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${event} takes a function`);
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };
  }
  return Object.freeze(bridge) as unknown as BridgeApi;
}

interface NotifyMessage {
  notification: string;
  title: string;
  body: string;
  buttons: string[];
  critical: boolean;
  /** The desktop's notification service already showed it: the page shows only its own notice (no double popup). */
  shownByDesktop: boolean;
}

function showAlert(message: NotifyMessage, click: (button?: number) => void): void {
  const canNotify = typeof Notification === 'function' && Notification.permission === 'granted';
  if (canNotify && !message.shownByDesktop) {
    // The tag makes the OS show one notification however many tabs are open.
    const notification = new Notification(message.title, {
      body: message.body,
      tag: message.notification,
      requireInteraction: message.critical,
    });
    notification.addEventListener('click', () => {
      window.focus();
      notification.close();
      click();
    });
    return;
  }
  showNotice({ title: message.title, body: message.body, buttons: message.buttons, onClick: click, sticky: message.critical });
}

const NOTICE_AREA = 'daytona-web-notices';

/**
 * A notice at the bottom of the page. Styled through the CSS object model: the window's CSP has no
 * 'unsafe-inline', which blocks style attributes in markup but not properties set from a script.
 */
function showNotice(notice: {
  title: string;
  body: string;
  buttons: string[];
  onClick: ((button?: number) => void) | undefined;
  sticky: boolean;
}): void {
  let area = document.getElementById(NOTICE_AREA);
  if (!area) {
    area = document.createElement('div');
    area.id = NOTICE_AREA;
    area.setAttribute('role', 'region');
    area.setAttribute('aria-label', 'Notifications');
    Object.assign(area.style, {
      position: 'fixed',
      left: '8px',
      right: '8px',
      bottom: '8px',
      zIndex: '1000',
      display: 'flex',
      flexDirection: 'column',
      gap: '6px',
      maxWidth: '364px',
      margin: '0 auto',
    });
    document.body.append(area);
  }
  const box = document.createElement('div');
  box.className = 'web-notice';
  box.setAttribute('role', 'alert');
  Object.assign(box.style, {
    background: 'Canvas',
    color: 'CanvasText',
    border: '1px solid GrayText',
    borderRadius: '8px',
    padding: '8px 10px',
    boxShadow: '0 2px 8px rgba(0,0,0,.25)',
    font: '13px system-ui, sans-serif',
  });
  const title = document.createElement('strong');
  title.textContent = notice.title;
  const body = document.createElement('div');
  body.textContent = notice.body;
  const row = document.createElement('div');
  Object.assign(row.style, { display: 'flex', gap: '6px', marginTop: '6px', flexWrap: 'wrap' });
  const button = (label: string, run: () => void) => {
    const element = document.createElement('button');
    element.type = 'button';
    element.textContent = label;
    element.addEventListener('click', run);
    row.append(element);
  };
  if (notice.onClick) {
    const click = notice.onClick;
    button('Open', () => {
      box.remove();
      click();
    });
    notice.buttons.forEach((label, index) =>
      button(label, () => {
        box.remove();
        click(index);
      }),
    );
  }
  if (typeof Notification === 'function' && Notification.permission === 'default' && notice.onClick) {
    button('Show as desktop notifications', () => void Notification.requestPermission().then(() => box.remove()));
  }
  button('Dismiss', () => box.remove());
  box.append(title, body, row);
  area.append(box);
  if (!notice.sticky) setTimeout(() => box.remove(), 30_000);
}

Object.defineProperty(window, 'bridge', { value: createWebBridge(), writable: false, configurable: false, enumerable: false });
