import type { AppState, BridgeApi } from '../../preload/contract.ts';
import {
  createFakeBridge,
  firstRunState,
  notIsolated,
  sampleClient,
  sampleSandbox,
  sampleState,
  type FakeBridgeControls,
} from '../fakes/fake-bridge.ts';

/**
 * Bundled by global-setup.ts into one script that page.addInitScript runs before the window's own code:
 * it installs the typed fake as `window.bridge` (where the preload would put the real one) and exposes its
 * controls and sample builders for page.evaluate.
 */
const samples = { sampleState, firstRunState, sampleSandbox, sampleClient, notIsolated };

interface FakeWindow {
  __fakeBridgeInitial?: AppState | 'first-run';
  bridge?: BridgeApi;
  fakeBridge?: FakeBridgeControls;
  fakeSamples?: typeof samples;
}

const target = window as unknown as FakeWindow;
const initial = target.__fakeBridgeInitial;
const fake = createFakeBridge(initial === 'first-run' ? firstRunState() : (initial ?? sampleState()));
Object.defineProperty(target, 'bridge', { value: fake.bridge, writable: false, configurable: false });
target.fakeBridge = fake.controls;
target.fakeSamples = samples;
