import { z } from 'zod';
import { defineTool } from '../tool-kit.ts';
import { annotations, answer, desktopId, withDesktop } from './computer-use-kit.ts';

const recordingId = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(256)
    .describe(`ID of the recording ${what}, as computer_use_recording_start or computer_use_recording_list returned it.`);

export const computerUseRecordingStart = defineTool({
  name: 'computer_use_recording_start',
  group: 'computer-use',
  title: 'Start a screen recording',
  description: 'Starts recording the desktop to a video file in the sandbox; computer_use_recording_stop ends it.',
  input: { id: desktopId(), label: z.string().max(200).optional().describe('Optional label, used in the file name.') },
  annotations: annotations.act('Start a screen recording'),
  async run(args, { daytona }) {
    const recording = await withDesktop(daytona, args.id, 'start a recording', (cu) => cu.recording.start(args.label));
    return answer(`Recording ${recording.id} started, into ${recording.filePath}.`, recording);
  },
});

export const computerUseRecordingStop = defineTool({
  name: 'computer_use_recording_stop',
  group: 'computer-use',
  title: 'Stop a screen recording',
  description: 'Stops a screen recording; the video file stays in the sandbox (file_download fetches it).',
  input: { id: desktopId(), recording_id: recordingId('to stop') },
  annotations: annotations.act('Stop a screen recording', { idempotent: true }),
  async run(args, { daytona }) {
    const recording = await withDesktop(daytona, args.id, 'stop the recording', (cu) => cu.recording.stop(args.recording_id));
    const length = recording.durationSeconds === undefined ? '' : `, ${recording.durationSeconds.toFixed(1)} s`;
    return answer(`Recording ${recording.id} ${recording.status}${length}: ${recording.filePath}.`, recording);
  },
});

export const computerUseRecordingList = defineTool({
  name: 'computer_use_recording_list',
  group: 'computer-use',
  title: 'List screen recordings',
  description: "Lists the sandbox's screen recordings: id, file, status, start and end, length and size.",
  input: { id: desktopId() },
  annotations: annotations.read('List screen recordings'),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'list the recordings', (cu) => cu.recording.list());
    return answer(`${result.recordings.length} recordings.`, result);
  },
});

export const computerUseRecordingGet = defineTool({
  name: 'computer_use_recording_get',
  group: 'computer-use',
  title: 'Get a screen recording',
  description: "Returns one recording's details: file, status, start and end, length and size.",
  input: { id: desktopId(), recording_id: recordingId('to describe') },
  annotations: annotations.read('Get a screen recording'),
  async run(args, { daytona }) {
    const recording = await withDesktop(daytona, args.id, 'read the recording', (cu) => cu.recording.get(args.recording_id));
    return answer(`Recording ${recording.id}: ${recording.status}, ${recording.filePath}.`, recording);
  },
});

export const computerUseRecordingDelete = defineTool({
  name: 'computer_use_recording_delete',
  group: 'computer-use',
  title: 'Delete a screen recording',
  description: 'Deletes a stopped screen recording and its video file.',
  input: { id: desktopId(), recording_id: recordingId('to delete') },
  annotations: annotations.act('Delete a screen recording', { destructive: true, idempotent: true }),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'delete the recording', (cu) => cu.recording.delete(args.recording_id));
    return answer(`Recording ${args.recording_id} deleted.`, {});
  },
});
