import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { addAccessibilityRoutes } from './accessibility-routes.ts';
import type { Desktop, DesktopProcessName } from './desktop.ts';
import type { Desktops } from './desktops.ts';
import { VNC_PROCESSES, type VncProcessName } from './vnc.ts';
import { checkRegion, encodeFrame, readFrame, type ImageFormat } from './framebuffer.ts';
import { chord, keyName, listWindows, mouseButton, mousePosition, xdotool } from './input.ts';

export interface ComputerUseDeps {
  desktops: Desktops;
  recordOf(req: Request): SandboxRecord;
}

const coordinate = z.coerce.number().int().min(0).max(100_000);
const moveSchema = z.object({ x: coordinate, y: coordinate });
const clickSchema = z.object({ x: coordinate, y: coordinate, button: z.string().optional(), double: z.boolean().optional() });
const dragSchema = z.object({ startX: coordinate, startY: coordinate, endX: coordinate, endY: coordinate, button: z.string().optional() });
const scrollSchema = z.object({
  x: coordinate,
  y: coordinate,
  direction: z.enum(['up', 'down', 'left', 'right']),
  amount: z.number().int().min(1).max(100).optional(),
});
const typeSchema = z.object({ text: z.string().min(1).max(100_000), delay: z.number().int().min(0).max(1000).optional() });
const pressSchema = z.object({ key: z.string().min(1), modifiers: z.array(z.string()).optional() });
const hotkeySchema = z.object({ keys: z.string().min(1) });
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const regionQuery = { x: coordinate, y: coordinate, width: coordinate, height: coordinate };
const shotQuery = z.object({ showCursor: flag.optional() });
const compressedQuery = z.object({
  showCursor: flag.optional(),
  format: z.enum(['png', 'jpeg', 'jpg', 'webp']).optional(),
  quality: z.coerce.number().int().min(1).max(100).optional(),
  scale: z.coerce.number().min(0.1).max(1).optional(),
});
const SCROLL_BUTTONS = { up: '4', down: '5', left: '6', right: '7' } as const;

/** Toolbox computer-use routes (/computeruse/*), as the SDK's sandbox.computerUse calls them. */
export function computerUseRoutes(deps: ComputerUseDeps): Router {
  const router = Router();
  router.use('/computeruse', json({ limit: '1mb' }));
  const { desktops } = deps;
  const desktopOf = (req: Request) => desktops.of(deps.recordOf(req));
  /** The desktop, which must be running for input and screenshots. */
  const running = (req: Request): Desktop => {
    const desktop = desktopOf(req);
    if (!desktop.running)
      throw badRequest(
        'The desktop is not running in this sandbox: start it first (computer_use_start, or computerUse.start() in the SDK).',
      );
    return desktop;
  };
  const processName = (req: Request) => String(req.params.processName) as DesktopProcessName;

  router.post('/computeruse/start', async (req, res) => {
    const desktop = desktopOf(req);
    await desktop.start();
    res.json({
      message: `Computer use processes started (display ${desktop.display}, ${desktop.width}x${desktop.height})`,
      status: { ...desktop.processStatus(), ...desktop.vnc.status() },
    });
  });
  router.post('/computeruse/stop', async (req, res) => {
    const desktop = desktopOf(req);
    await desktops.recordings.stopAll(desktop.record.id);
    await desktop.stop();
    res.json({ message: 'Computer use processes stopped', status: { ...desktop.processStatus(), ...desktop.vnc.status() } });
  });
  for (const path of ['/computeruse/status', '/computeruse/process-status']) {
    router.get(path, (req, res) => {
      res.json({ status: desktopOf(req).status() });
    });
  }
  // x11vnc and novnc are the VNC part's (vnc.ts); the others the desktop's.
  const isVnc = (name: string): name is VncProcessName => (VNC_PROCESSES as readonly string[]).includes(name);
  const managedOf = (req: Request) => {
    const name = processName(req);
    return isVnc(name) ? desktopOf(req).vnc.process(name) : desktopOf(req).process(name);
  };
  router.get('/computeruse/process/:processName/status', (req, res) => {
    const desktop = desktopOf(req);
    const name = processName(req);
    managedOf(req);
    res.json({ processName: name, running: isVnc(name) ? desktop.vnc.statusOf(name).running : desktop.processStatus()[name].running });
  });
  router.post('/computeruse/process/:processName/restart', async (req, res) => {
    const desktop = desktopOf(req);
    const name = processName(req);
    managedOf(req);
    if (isVnc(name)) {
      await desktop.vnc.stopProcess(name);
      await desktop.start();
    } else await desktop.restart(name);
    res.json({ message: `Process ${name} restarted`, processName: name });
  });
  router.get('/computeruse/process/:processName/logs', (req, res) => {
    res.json({ processName: processName(req), logs: managedOf(req).logs });
  });
  router.get('/computeruse/process/:processName/errors', (req, res) => {
    res.json({ processName: processName(req), errors: managedOf(req).errors });
  });

  // ── mouse ──
  router.get('/computeruse/mouse/position', async (req, res) => {
    res.json(await mousePosition(running(req)));
  });
  router.post('/computeruse/mouse/move', async (req, res) => {
    const body = parseOrBadRequest(moveSchema, req.body ?? {}, 'mouse move');
    const desktop = running(req);
    await xdotool(desktop, ['mousemove', String(body.x), String(body.y)]);
    res.json(await mousePosition(desktop));
  });
  router.post('/computeruse/mouse/click', async (req, res) => {
    const body = parseOrBadRequest(clickSchema, req.body ?? {}, 'mouse click');
    const desktop = running(req);
    const button = mouseButton(body.button);
    await xdotool(desktop, ['mousemove', String(body.x), String(body.y), 'click', ...(body.double ? ['--repeat', '2'] : []), button]);
    res.json(await mousePosition(desktop));
  });
  router.post('/computeruse/mouse/drag', async (req, res) => {
    const body = parseOrBadRequest(dragSchema, req.body ?? {}, 'mouse drag');
    const desktop = running(req);
    const button = mouseButton(body.button);
    await xdotool(desktop, [
      'mousemove',
      String(body.startX),
      String(body.startY),
      'mousedown',
      button,
      'mousemove',
      String(body.endX),
      String(body.endY),
      'mouseup',
      button,
    ]);
    res.json(await mousePosition(desktop));
  });
  router.post('/computeruse/mouse/scroll', async (req, res) => {
    const body = parseOrBadRequest(scrollSchema, req.body ?? {}, 'mouse scroll');
    const desktop = running(req);
    const button = SCROLL_BUTTONS[body.direction];
    await xdotool(desktop, ['mousemove', String(body.x), String(body.y), 'click', '--repeat', String(body.amount ?? 1), button]);
    res.json({ success: true });
  });

  // ── keyboard ── (typed text goes through xdotool's stdin, never its argv, where other users could read it)
  router.post('/computeruse/keyboard/type', async (req, res) => {
    const body = parseOrBadRequest(typeSchema, req.body ?? {}, 'keyboard type');
    await xdotool(running(req), ['type', '--delay', String(body.delay ?? 12), '--file', '-'], body.text);
    res.json({});
  });
  router.post('/computeruse/keyboard/key', async (req, res) => {
    const body = parseOrBadRequest(pressSchema, req.body ?? {}, 'key press');
    const keys = [...(body.modifiers ?? []).map(keyName), keyName(body.key)].join('+');
    await xdotool(running(req), ['key', '--clearmodifiers', keys]);
    res.json({});
  });
  router.post('/computeruse/keyboard/hotkey', async (req, res) => {
    const body = parseOrBadRequest(hotkeySchema, req.body ?? {}, 'hotkey');
    await xdotool(running(req), ['key', '--clearmodifiers', chord(body.keys)]);
    res.json({});
  });

  // ── screenshots and display ──
  const screenshot = async (
    req: Request,
    options: { region?: boolean; format: ImageFormat; quality: number; scale: number; showCursor: boolean },
  ): Promise<Record<string, unknown>> => {
    const desktop = running(req);
    const [frame, cursor] = await Promise.all([readFrame(desktop.framebuffer), mousePosition(desktop)]);
    const region = options.region
      ? checkRegion(parseOrBadRequest(z.object(regionQuery), req.query, 'screenshot region'), frame)
      : undefined;
    const image = await encodeFrame(frame, { ...options, region, cursor: options.showCursor ? cursor : undefined });
    return { screenshot: image.toString('base64'), cursorPosition: cursor, sizeBytes: image.length };
  };
  const compressedOptions = (req: Request) => {
    const query = parseOrBadRequest(compressedQuery, req.query, 'screenshot options');
    const format: ImageFormat = query.format === 'jpg' ? 'jpeg' : (query.format ?? 'png');
    return { format, quality: query.quality ?? 85, scale: query.scale ?? 1, showCursor: query.showCursor ?? false };
  };
  const plainOptions = (req: Request) => ({
    format: 'png' as const,
    quality: 100,
    scale: 1,
    showCursor: parseOrBadRequest(shotQuery, req.query, 'screenshot options').showCursor ?? false,
  });
  router.get('/computeruse/screenshot', async (req, res) => {
    res.json(await screenshot(req, plainOptions(req)));
  });
  router.get('/computeruse/screenshot/region', async (req, res) => {
    res.json(await screenshot(req, { ...plainOptions(req), region: true }));
  });
  router.get('/computeruse/screenshot/compressed', async (req, res) => {
    res.json(await screenshot(req, compressedOptions(req)));
  });
  router.get('/computeruse/screenshot/region/compressed', async (req, res) => {
    res.json(await screenshot(req, { ...compressedOptions(req), region: true }));
  });
  router.get('/computeruse/display/info', (req, res) => {
    const desktop = running(req);
    res.json({ displays: [{ id: 0, x: 0, y: 0, width: desktop.width, height: desktop.height, isActive: true }] });
  });
  router.get('/computeruse/display/windows', async (req, res) => {
    res.json({ windows: await listWindows(running(req)) });
  });

  // ── recordings ──
  const { recordings } = desktops;
  const sandboxIdOf = (req: Request) => deps.recordOf(req).id;
  router.post('/computeruse/recordings/start', async (req, res) => {
    const body = parseOrBadRequest(z.object({ label: z.string().max(200).optional() }), req.body ?? {}, 'recording');
    res.status(201).json(await recordings.start(running(req), body.label));
  });
  router.post('/computeruse/recordings/stop', async (req, res) => {
    const body = parseOrBadRequest(z.object({ id: z.string().min(1) }), req.body ?? {}, 'recording');
    res.json(await recordings.stop(sandboxIdOf(req), body.id));
  });
  router.get('/computeruse/recordings', (req, res) => {
    res.json({ recordings: recordings.list(sandboxIdOf(req)) });
  });
  router.get('/computeruse/recordings/:id', (req, res) => {
    res.json(recordings.get(sandboxIdOf(req), String(req.params.id)));
  });
  router.get('/computeruse/recordings/:id/download', (req, res) => {
    const path = recordings.hostPath(sandboxIdOf(req), String(req.params.id));
    res.sendFile(path, { dotfiles: 'allow', headers: { 'content-type': 'video/mp4' } });
  });
  router.delete('/computeruse/recordings/:id', async (req, res) => {
    await recordings.delete(sandboxIdOf(req), String(req.params.id));
    res.status(204).end();
  });

  // ── accessibility ── (AT-SPI, from the desktop's own accessibility bus)
  addAccessibilityRoutes(router, desktopOf);
  return router;
}
