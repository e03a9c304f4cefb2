import { z } from 'zod';
import type { ComputerUseClient, DaytonaPort } from '../daytona-port.ts';
import { ToolFailure } from '../errors.ts';
import { defineTool, formatBytes, type ToolOutcome } from '../tool-kit.ts';
import { annotations, coordinate, desktopId, withDesktop } from './computer-use-kit.ts';

/**
 * The most a screenshot may weigh in a tool result, and its longest side: bigger pictures cost a model's
 * context for detail it cannot use (vision models downscale past ~1568 px anyway). Above either, the tool
 * fetches a scaled JPEG instead and says so, with the factor to map its pixels back to the screen.
 */
export const IMAGE_LIMIT = { bytes: 1024 * 1024, longestSide: 1568 };

type Format = 'png' | 'jpeg';
interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Request {
  format: Format;
  quality?: number | undefined;
  scale?: number | undefined;
  showCursor: boolean;
}
interface Shot {
  screenshot?: string;
  cursorPosition?: { x?: number; y?: number };
}

/**
 * Width and height from a PNG's IHDR or a JPEG's start-of-frame marker: reading two headers by hand spares
 * the MCP server an image library (and its ~20 MB of native code) just to report a size.
 */
export function imageSize(image: Buffer): { width: number; height: number } | undefined {
  if (image.length > 24 && image.readUInt32BE(0) === 0x89504e47) return { width: image.readUInt32BE(16), height: image.readUInt32BE(20) };
  if (image[0] !== 0xff || image[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < image.length) {
    if (image[at] !== 0xff) return undefined;
    const marker = image[at + 1]!;
    const length = image.readUInt16BE(at + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: image.readUInt16BE(at + 5), width: image.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

function take(cu: ComputerUseClient, region: Region | undefined, request: Request): Promise<Shot> {
  const options = {
    showCursor: request.showCursor,
    format: request.format,
    ...(request.quality !== undefined ? { quality: request.quality } : {}),
    ...(request.scale !== undefined ? { scale: request.scale } : {}),
  };
  // Regions go through the compressed route even as PNG: the SDK's takeRegion (0.218) sends the region's
  // fields in reverse order (x=height, y=width, ...), which takeCompressedRegion does not.
  if (region) return cu.screenshot.takeCompressedRegion(region, options);
  if (request.format === 'png' && request.scale === undefined) return cu.screenshot.takeFullScreen(request.showCursor);
  return cu.screenshot.takeCompressed(options);
}

/** Takes the screenshot asked for; when it is over IMAGE_LIMIT, a scaled-down JPEG instead, said in the text. */
async function screenshotOutcome(daytona: DaytonaPort, id: string, region: Region | undefined, request: Request): Promise<ToolOutcome> {
  return withDesktop(daytona, id, 'take a screenshot', async (cu) => {
    let used = request;
    let shot = await take(cu, region, used);
    let image = Buffer.from(shot.screenshot ?? '', 'base64');
    let size = imageSize(image);
    if (image.length === 0 || !size) throw new ToolFailure('failed', 'The screenshot came back without a picture: take it again.');
    const original = { bytes: image.length, ...size };
    const baseScale = request.scale ?? 1;
    for (const [quality, shrink] of [
      [75, 1],
      [50, 0.6],
      [40, 0.35],
    ] as const) {
      const over = image.length > IMAGE_LIMIT.bytes || Math.max(size.width, size.height) > IMAGE_LIMIT.longestSide;
      if (!over) break;
      const fit = Math.min(1, IMAGE_LIMIT.longestSide / Math.max(original.width, original.height));
      used = { format: 'jpeg', quality, scale: Math.max(0.1, baseScale * fit * shrink), showCursor: request.showCursor };
      shot = await take(cu, region, used);
      image = Buffer.from(shot.screenshot ?? '', 'base64');
      size = imageSize(image) ?? size;
    }
    const scale = used.scale ?? 1;
    const what = region ? `region ${region.width}x${region.height} at (${region.x}, ${region.y})` : 'the screen';
    const cursor = shot.cursorPosition ? `; cursor at (${shot.cursorPosition.x}, ${shot.cursorPosition.y})` : '';
    let text = `Screenshot of ${what}: ${size.width}x${size.height} ${used.format.toUpperCase()}, ${formatBytes(image.length)}${cursor}.`;
    if (used !== request) {
      text +=
        ` The ${request.format.toUpperCase()} was ${original.width}x${original.height} and ${formatBytes(original.bytes)}, over the ` +
        `${formatBytes(IMAGE_LIMIT.bytes)} / ${IMAGE_LIMIT.longestSide} px limit for a picture in a tool result, so this is a JPEG (quality ${used.quality}) at ${Math.round(scale * 100)}% scale.`;
    }
    if (scale !== 1) {
      const origin = region ? `add (${region.x}, ${region.y}) after ` : '';
      text += ` To click what you see, ${origin}dividing its coordinates by ${+scale.toFixed(4)} gives screen coordinates.`;
    }
    return {
      text,
      structured: {
        width: size.width,
        height: size.height,
        format: used.format,
        sizeBytes: image.length,
        scale,
        ...(shot.cursorPosition ? { cursorPosition: shot.cursorPosition } : {}),
      },
      content: [{ type: 'image', data: image.toString('base64'), mimeType: `image/${used.format}` }],
    };
  });
}

const showCursor = () => z.boolean().default(false).describe('Mark the mouse cursor in the screenshot.');
const region = {
  x: coordinate('Left coordinate of the region.'),
  y: coordinate('Top coordinate of the region.'),
  width: z.number().int().min(1).max(100_000).describe('Width of the region in pixels.'),
  height: z.number().int().min(1).max(100_000).describe('Height of the region in pixels.'),
};
const compression = {
  format: z.enum(['png', 'jpeg']).default('png').describe('Image format: png or jpeg.'),
  quality: z.number().int().min(1).max(100).optional().describe('Compression quality (1-100) for jpeg.'),
  scale: z.number().min(0.1).max(1).optional().describe('Scale factor for the screenshot (e.g. 0.5).'),
};
const LIMIT_NOTE = ` Pictures over ${formatBytes(IMAGE_LIMIT.bytes)} or ${IMAGE_LIMIT.longestSide} px come back as a scaled JPEG, said in the text.`;

export const computerUseScreenshot = defineTool({
  name: 'computer_use_screenshot',
  group: 'computer-use',
  title: 'Screenshot',
  description: `Takes a full-screen screenshot of the sandbox's desktop and returns it as an image, with its size and the cursor position. Call computer_use_start first.${LIMIT_NOTE}`,
  input: { id: desktopId(), show_cursor: showCursor() },
  annotations: annotations.read('Screenshot'),
  run: (args, { daytona }) => screenshotOutcome(daytona, args.id, undefined, { format: 'png', showCursor: args.show_cursor }),
});

export const computerUseScreenshotRegion = defineTool({
  name: 'computer_use_screenshot_region',
  group: 'computer-use',
  title: 'Screenshot of a region',
  description: `Takes a screenshot of a rectangle of the desktop and returns it as an image.${LIMIT_NOTE}`,
  input: { id: desktopId(), ...region, show_cursor: showCursor() },
  annotations: annotations.read('Screenshot of a region'),
  run: ({ id, show_cursor, ...rect }, { daytona }) => screenshotOutcome(daytona, id, rect, { format: 'png', showCursor: show_cursor }),
});

export const computerUseScreenshotCompressed = defineTool({
  name: 'computer_use_screenshot_compressed',
  group: 'computer-use',
  title: 'Compressed screenshot',
  description: `Takes a full-screen screenshot as PNG or JPEG, optionally scaled down, and returns it as an image.${LIMIT_NOTE}`,
  input: { id: desktopId(), show_cursor: showCursor(), ...compression },
  annotations: annotations.read('Compressed screenshot'),
  run: (args, { daytona }) =>
    screenshotOutcome(daytona, args.id, undefined, {
      format: args.format,
      quality: args.quality,
      scale: args.scale,
      showCursor: args.show_cursor,
    }),
});

export const computerUseScreenshotCompressedRegion = defineTool({
  name: 'computer_use_screenshot_compressed_region',
  group: 'computer-use',
  title: 'Compressed screenshot of a region',
  description: `Takes a screenshot of a rectangle of the desktop as PNG or JPEG, optionally scaled down, and returns it as an image.${LIMIT_NOTE}`,
  input: { id: desktopId(), ...region, show_cursor: showCursor(), ...compression },
  annotations: annotations.read('Compressed screenshot of a region'),
  run: ({ id, x, y, width, height, show_cursor, format, quality, scale }, { daytona }) =>
    screenshotOutcome(daytona, id, { x, y, width, height }, { format, quality, scale, showCursor: show_cursor }),
});
