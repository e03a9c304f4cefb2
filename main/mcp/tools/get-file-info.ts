import { defineTool, sandboxId, sandboxPath } from '../tool-kit.ts';
import { describeEntry, entryRecord, fileEntryShape } from './file-entry-format.ts';

export const getFileInfo = defineTool({
  name: 'get_file_info',
  group: 'files',
  title: 'Get file info',
  description: 'Returns the size, type (file or folder), permissions, owner and modification time of a path in a sandbox.',
  input: {
    id: sandboxId(),
    filePath: sandboxPath('The file or folder to describe'),
  },
  output: fileEntryShape,
  annotations: { title: 'Get file info', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const entry = await daytona.fileInfo(args.id, args.filePath);
    return { text: `${entry.isDir ? 'Folder' : 'File'} ${entry.path ?? args.filePath}:\n${describeEntry(entry)}`, structured: entryRecord(entry) };
  },
});
