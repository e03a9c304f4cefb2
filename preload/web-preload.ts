import { EVENT_CHANNELS, METHOD_CHANNELS, type BridgeApi, type BridgeEventName, type BridgeMethodName, type Result } from './contract.ts';
import { BRIDGE_SOCKET_PATH, decodeWire, encodeWire, type PageMessage } from './web-wire.ts';

/**
 * The web preload: what preload/index.ts is to the Electron window, for the same renderer bundle in a browser.
 * The web shell's page loads it as a classic script before the renderer's module, so `window.bridge` exists
 * when main.tsx looks for it. Each method is an `invoke` over one WebSocket to main (same channels, same
 * Result values); events arrive as pushed messages. Alerts main pushes are shown as browser notifications
 * when the user allowed them, else as a notice in the page; a click goes back to main, which opens the view.
 * A dropped socket (sleep, the app restarting) is retried with a "Reconnecting" notice until it is back; a
 * new run of the app (its hello names another run) reloads the page, whose state starts over with it.
 */

const LOST: Result<never> = {
  ok: false,
  error: {
    code: 'unreachable',
    message: 'The connection to Daytona Tray dropped before it answered. It reconnects by itself; try again in a moment.',
  },
};
const RECONNECTING: Result<never> = {
  ok: false,
  error: {
    code: 'unreachable',
    message: 'Reconnecting to Daytona Tray… If it does not come back, start it again with `daytona-tray app`.',
  },
};
/** Waits between reconnect attempts: quick at first (a blip), then every few seconds (the app is restarting). */
const RECONNECT_DELAYS_MS = [250, 500, 1_000, 2_000, 3_000];

function createWebBridge(): BridgeApi {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_SOCKET_PATH}`;
  // Until the first socket opens or fails, requests wait for it; after a drop they fail at once with RECONNECTING.
  const queue: string[] = [];
  const pending = new Map<number, (result: unknown) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket;
  let dropped = false;
  let run: string | undefined;
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let reconnecting: HTMLElement | undefined;

  const send = (message: PageMessage) => {
    const text = encodeWire(message);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  };
  const connected = () => socket.readyState === WebSocket.OPEN || !dropped;

  function connect(): void {
    retryTimer = undefined;
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      attempts = 0;
      for (const text of queue.splice(0)) socket.send(text);
    });
    socket.addEventListener('close', () => {
      dropped = true;
      for (const resolve of pending.values()) resolve(LOST);
      pending.clear();
      queue.length = 0;
      reconnecting ??= showNotice({
        title: 'Reconnecting to Daytona Tray…',
        body: 'The connection dropped (the computer slept, or the app stopped). If it does not come back, start it again with `daytona-tray app`.',
        buttons: [],
        onClick: undefined,
        sticky: true,
        role: 'status',
      });
      const delay = RECONNECT_DELAYS_MS[Math.min(attempts, RECONNECT_DELAYS_MS.length - 1)]!;
      attempts += 1;
      retryTimer = setTimeout(connect, delay);
    });
    socket.addEventListener('message', (event) => {
      const message = typeof event.data === 'string' ? decodeWire(event.data) : undefined;
      if (!message) return;
      if (message.t === 'hello' && typeof message.run === 'string') {
        // A new run of the app (it restarted): its state starts over, so the window starts over too.
        if (run !== undefined && run !== message.run) return location.reload();
        run = message.run;
        reconnecting?.remove();
        reconnecting = undefined;
      } else if (message.t === 'result' && typeof message.id === 'number') {
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
  }
  // Back from sleep or offline: try now rather than at the next scheduled attempt.
  const retryNow = () => {
    if (retryTimer === undefined || document.visibilityState === 'hidden') return;
    clearTimeout(retryTimer);
    connect();
  };
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', retryNow);
  connect();

  const bridge: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(METHOD_CHANNELS) as [BridgeMethodName, string][]) {
    bridge[method] = (payload?: unknown) => {
      if (!connected()) return Promise.resolve(RECONNECTING);
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
  showNotice({
    title: message.title,
    body: message.body,
    buttons: message.buttons,
    onClick: click,
    sticky: message.critical,
    role: 'alert',
  });
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
  /** alert: an alert from the app; status: the connection's state (announced politely). */
  role: 'alert' | 'status';
}): HTMLElement {
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
  box.setAttribute('role', notice.role);
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
  return box;
}

Object.defineProperty(window, 'bridge', { value: createWebBridge(), writable: false, configurable: false, enumerable: false });
