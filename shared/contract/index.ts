// The one contract between the UI and the engine. Every channel names its request, its
// streamed progress and its result; every event names its payload. Both transports
// (Electron IPC and the browser-mode WebSocket) carry exactly these, validated on receipt.

import type { z } from 'zod';
import { imageChannels } from './image-channels';
import { sessionChannels, sessionEvents } from './session-channels';
import { registrationChannels } from './registration-channels';
import { workspaceChannels } from './workspace-channels';
import { uploadChannels } from './upload-channels';
import { saveLocationChannels } from './save-location-channels';
import { trainingChannels } from './training-channels';
import { featureChannels } from './feature-channels';
import { inspectionChannels } from './inspection-channels';
import { sessionRecordChannels } from './session-record-channels';

export const channels = {
  ...sessionChannels,
  ...imageChannels,
  ...uploadChannels,
  ...registrationChannels,
  ...workspaceChannels,
  ...saveLocationChannels,
  ...trainingChannels,
  ...featureChannels,
  ...inspectionChannels,
  ...sessionRecordChannels,
} as const;

export const events = {
  ...sessionEvents,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type EventName = keyof typeof events;

export type RequestOf<C extends ChannelName> = z.infer<Channels[C]['request']>;
export type ProgressOf<C extends ChannelName> = z.infer<Channels[C]['progress']>;
export type ResultOf<C extends ChannelName> = z.infer<Channels[C]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

export * from './errors';
export * from './common-schemas';
export * from './image-channels';
export * from './session-channels';
export * from './registration-channels';
export * from './registration-parameters';
export * from './workspace-channels';
export * from './upload-channels';
export * from './save-location-channels';
export * from './training-channels';
export * from './feature-channels';
export * from './inspection-channels';
export * from './session-record-channels';
