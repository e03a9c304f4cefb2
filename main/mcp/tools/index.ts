import type { ToolDefinition } from '../tool-kit.ts';
import { codeRun } from './code-run.ts';
import { commandInput, commandOutput, commandStop, commandWait } from './command-follow.ts';
import { createFolder } from './create-folder.ts';
import {
  computerUseAccessibilityFind,
  computerUseAccessibilityFocus,
  computerUseAccessibilityInvoke,
  computerUseAccessibilitySetValue,
  computerUseAccessibilityTree,
} from './computer-use-accessibility.ts';
import { computerUseDisplayInfo, computerUseWindows } from './computer-use-display.ts';
import { computerUseKeyboardHotkey, computerUseKeyboardPress, computerUseKeyboardType } from './computer-use-keyboard.ts';
import { computerUseStart, computerUseStatus, computerUseStop } from './computer-use-lifecycle.ts';
import {
  computerUseMouseClick,
  computerUseMouseDrag,
  computerUseMouseMove,
  computerUseMousePosition,
  computerUseMouseScroll,
} from './computer-use-mouse.ts';
import {
  computerUseRecordingDelete,
  computerUseRecordingGet,
  computerUseRecordingList,
  computerUseRecordingStart,
  computerUseRecordingStop,
} from './computer-use-recording.ts';
import {
  computerUseScreenshot,
  computerUseScreenshotCompressed,
  computerUseScreenshotCompressedRegion,
  computerUseScreenshotRegion,
} from './computer-use-screenshot.ts';
import { createSandbox } from './create-sandbox.ts';
import { deleteFile } from './delete-file.ts';
import { destroySandbox } from './destroy-sandbox.ts';
import { executeCommand } from './execute-command.ts';
import { fileDownload } from './file-download.ts';
import { fileUpload } from './file-upload.ts';
import { forkSandbox } from './fork-sandbox.ts';
import { getFileInfo } from './get-file-info.ts';
import { gitClone } from './git-clone.ts';
import { gitStatus } from './git-status.ts';
import { listFiles } from './list-files.ts';
import { listSandboxes } from './list-sandboxes.ts';
import { moveFile } from './move-file.ts';
import { pauseSandbox } from './pause-sandbox.ts';
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
  pauseSandbox,
  forkSandbox,
  commandWait,
  commandOutput,
  commandInput,
  commandStop,
  // Daytona's 27 computer-use tools (its cli/mcp/tools/computer_use_*.go), in their own group.
  computerUseStart,
  computerUseStop,
  computerUseStatus,
  computerUseScreenshot,
  computerUseScreenshotRegion,
  computerUseScreenshotCompressed,
  computerUseScreenshotCompressedRegion,
  computerUseMousePosition,
  computerUseMouseMove,
  computerUseMouseClick,
  computerUseMouseDrag,
  computerUseMouseScroll,
  computerUseKeyboardType,
  computerUseKeyboardPress,
  computerUseKeyboardHotkey,
  computerUseDisplayInfo,
  computerUseWindows,
  computerUseRecordingStart,
  computerUseRecordingStop,
  computerUseRecordingList,
  computerUseRecordingGet,
  computerUseRecordingDelete,
  computerUseAccessibilityTree,
  computerUseAccessibilityFind,
  computerUseAccessibilityFocus,
  computerUseAccessibilityInvoke,
  computerUseAccessibilitySetValue,
];
