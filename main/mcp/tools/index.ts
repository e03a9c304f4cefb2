import type { ToolDefinition } from '../tool-kit.ts';
import { codeRun } from './code-run.ts';
import { commandInput, commandOutput, commandStop, commandWait } from './command-follow.ts';
import { createFolder } from './create-folder.ts';
import { createSandbox } from './create-sandbox.ts';
import { deleteFile } from './delete-file.ts';
import { destroySandbox } from './destroy-sandbox.ts';
import { executeCommand } from './execute-command.ts';
import { fileDownload } from './file-download.ts';
import { fileUpload } from './file-upload.ts';
import { getFileInfo } from './get-file-info.ts';
import { gitClone } from './git-clone.ts';
import { gitStatus } from './git-status.ts';
import { listFiles } from './list-files.ts';
import { listSandboxes } from './list-sandboxes.ts';
import { moveFile } from './move-file.ts';
import { previewLink } from './preview-link.ts';
import { searchFiles } from './search-files.ts';
import { setAutoStop } from './set-auto-stop.ts';
import { startSandbox } from './start-sandbox.ts';
import { stopSandbox } from './stop-sandbox.ts';

/** Every tool, in the order clients list them: Daytona's own twelve first, then ours. */
export const ALL_TOOLS: readonly ToolDefinition<any>[] = [
  createSandbox,
  destroySandbox,
  fileUpload,
  fileDownload,
  createFolder,
  getFileInfo,
  listFiles,
  moveFile,
  deleteFile,
  executeCommand,
  gitClone,
  previewLink,
  listSandboxes,
  startSandbox,
  stopSandbox,
  codeRun,
  searchFiles,
  gitStatus,
  setAutoStop,
  commandWait,
  commandOutput,
  commandInput,
  commandStop,
];
