import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, conflict, notFound } from '../../errors.ts';
import { SANDBOX_HOME } from '../../sandbox-record.ts';
import { findUtility } from '../../sandbox-runner/probe.ts';
import { spawnInSandbox, type SandboxExec } from '../run-command.ts';
import type { Desktop } from './desktop.ts';

/** Where recordings are written, as the sandbox sees it (under its home, so they survive a stop). */
const RECORDINGS_DIR = `${SANDBOX_HOME}/.daytona/recordings`;
const FRAME_RATE = 10;
const STOP_LIMIT_MS = 15_000;

export interface Recording {
  id: string;
  fileName: string;
  filePath: string;
  startTime: string;
  endTime?: string;
  status: 'recording' | 'completed' | 'failed';
  durationSeconds?: number;
  sizeBytes?: number;
}

interface Entry {
  recording: Recording;
  sandboxId: string;
  child?: ChildProcess;
  errors: string;
}

/** Screen recordings made with ffmpeg's x11grab inside the sandbox (H.264 in MP4). */
export class Recordings {
  private readonly entries = new Map<string, Entry>();

  private readonly exec: SandboxExec;

  constructor(exec: SandboxExec) {
    this.exec = exec;
  }

  list(sandboxId: string): Recording[] {
    return [...this.entries.values()].filter((entry) => entry.sandboxId === sandboxId).map((entry) => ({ ...entry.recording }));
  }

  get(sandboxId: string, id: string): Recording {
    return { ...this.entry(sandboxId, id).recording };
  }

  /** The recording's file on the host (for downloads). */
  hostPath(sandboxId: string, id: string): string {
    const { recording } = this.entry(sandboxId, id);
    return join(this.exec.service.dirsOf(sandboxId).home, recording.filePath.slice(SANDBOX_HOME.length));
  }

  async start(desktop: Desktop, label: string | undefined): Promise<Recording> {
    if (!findUtility('ffmpeg')) {
      throw new ApiError(
        503,
        'Recording needs ffmpeg, not installed on this machine: install the Debian package ffmpeg (sudo apt-get install ffmpeg) and try again.',
        'RECORDING_FFMPEG_NOT_FOUND',
      );
    }
    const sandboxId = desktop.record.id;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    const safeLabel = (label ?? 'recording').replace(/[^\w.-]+/g, '_').slice(0, 64) || 'recording';
    const fileName = `${safeLabel}_${stamp}_${randomUUID().slice(0, 8)}.mp4`;
    const recording: Recording = {
      id: randomUUID(),
      fileName,
      filePath: `${RECORDINGS_DIR}/${fileName}`,
      startTime: new Date().toISOString(),
      status: 'recording',
    };
    const entry: Entry = { recording, sandboxId, errors: '' };
    const dirs = this.exec.service.dirsOf(sandboxId);
    await mkdir(join(dirs.home, RECORDINGS_DIR.slice(SANDBOX_HOME.length)), { recursive: true });
    const output = this.exec.runner.visiblePath(recording.filePath, dirs);
    const child = await spawnInSandbox(
      this.exec,
      desktop.record,
      [
        'ffmpeg',
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'x11grab',
        '-framerate',
        String(FRAME_RATE),
        '-video_size',
        `${desktop.width}x${desktop.height}`,
        '-i',
        desktop.display,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        output,
      ],
      { env: { DISPLAY: desktop.display } },
      ['pipe', 'ignore', 'pipe'],
    );
    entry.child = child;
    child.stdin?.on('error', () => {});
    child.stderr?.on('data', (chunk: Buffer) => {
      entry.errors = (entry.errors + chunk.toString('utf8')).slice(-4000);
    });
    child.once('exit', (code) => void this.finish(entry, code === 0));
    this.entries.set(recording.id, entry);
    return { ...recording };
  }

  /** Asks ffmpeg to finish (q on its input, so the MP4 gets its index), then waits for the file. */
  async stop(sandboxId: string, id: string): Promise<Recording> {
    const entry = this.entry(sandboxId, id);
    const child = entry.child;
    if (entry.recording.status === 'recording' && child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end('q');
      const timer = setTimeout(() => this.exec.runner.kill(child, 'SIGKILL'), STOP_LIMIT_MS);
      await exited;
      clearTimeout(timer);
    }
    await this.finish(entry, entry.recording.status !== 'failed');
    if (entry.recording.status === 'failed') {
      throw new ApiError(500, `The recording failed: ${entry.errors.trim().slice(-500) || 'ffmpeg wrote no file'}`);
    }
    return { ...entry.recording };
  }

  /** Stops every recording of a sandbox (before its desktop stops). */
  async stopAll(sandboxId: string): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.sandboxId === sandboxId && entry.recording.status === 'recording')
        await this.stop(sandboxId, entry.recording.id).catch(() => {});
    }
  }

  async delete(sandboxId: string, id: string): Promise<void> {
    const entry = this.entry(sandboxId, id);
    if (entry.recording.status === 'recording') {
      throw conflict(`Recording ${id} is still running: stop it first (computer_use_recording_stop).`, 'RECORDING_STILL_ACTIVE');
    }
    await rm(this.hostPath(sandboxId, id), { force: true });
    this.entries.delete(id);
  }

  private entry(sandboxId: string, id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry || entry.sandboxId !== sandboxId) {
      throw notFound(`Recording ${id} not found in this sandbox: list them with computer_use_recording_list.`);
    }
    return entry;
  }

  private async finish(entry: Entry, ok: boolean): Promise<void> {
    if (entry.recording.status !== 'recording' && entry.recording.endTime) return;
    const end = new Date();
    entry.recording.endTime = end.toISOString();
    entry.recording.durationSeconds = (end.getTime() - Date.parse(entry.recording.startTime)) / 1000;
    try {
      const size = (await stat(this.hostPath(entry.sandboxId, entry.recording.id))).size;
      entry.recording.sizeBytes = size;
      entry.recording.status = ok && size > 0 ? 'completed' : 'failed';
    } catch {
      entry.recording.status = 'failed';
    }
  }
}
