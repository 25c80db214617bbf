// Debian's Chromium driven over the DevTools protocol with only the domains a benchmark needs:
// no Network domain. Playwright enables it on every page, and Chromium then reports each
// WebSocket frame to the driver with its payload in base64: the engine's frames (a heatmap a
// pointer move, a result's layers in 2 MB pieces) were encoded in the page's renderer and the
// browser process and decoded in the driver, work a user's Chromium never does. The pointer
// and the page are driven as Playwright drives them (Input.dispatchMouseEvent, Runtime.evaluate).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumArguments, chromiumExecutable } from './chromium';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

export class DevtoolsPage {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #next = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id!);
      if (message.error) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result ?? {});
    });
  }

  static async connect(url: string): Promise<DevtoolsPage> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', () => reject(new Error(`no DevTools connection at ${url}`)), { once: true });
    });
    return new DevtoolsPage(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#next++;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /** Runs `fn(arg)` in the page and returns its (awaited, JSON-able) value. */
  async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const reply = (await this.send('Runtime.evaluate', {
      expression: `(${fn.toString()})(${JSON.stringify(arg ?? null)})`,
      awaitPromise: true,
      returnByValue: true,
    })) as { result: { value: R }; exceptionDetails?: { exception?: { description?: string }; text: string } };
    if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
    return reply.result.value;
  }

  /** Polls `fn(arg)` in the page every 100 ms until it is truthy; its value. */
  async waitFor<A, R>(fn: (arg: A) => R, arg?: A, timeoutMs = 60_000): Promise<R> {
    const start = Date.now();
    for (;;) {
      const value = await this.evaluate(fn, arg);
      if (value) return value;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${fn.toString().slice(0, 120)}`);
      await sleep(100);
    }
  }

  /**
   * Clicks the enabled button named `name` (its text or aria-label) under `within`, once there is
   * one: as Playwright's getByRole('button', { name, exact: true }).click() does.
   */
  async clickButton(name: string, within = 'body', timeoutMs = 60_000): Promise<void> {
    await this.waitFor(
      ([scope, label]) => {
        const button = Array.from(document.querySelectorAll<HTMLButtonElement>(`${scope} button`)).find(
          (b) => (b.textContent?.trim() === label || b.getAttribute('aria-label') === label) && !b.disabled && (b.getAttribute('role') ?? 'button') === 'button',
        );
        button?.click();
        return !!button;
      },
      [within, name],
      timeoutMs,
    );
  }

  /** The trimmed text of the first element without children whose text contains `text`, or '?'. */
  textContaining(text: string): Promise<string> {
    return this.evaluate(
      (t) => Array.from(document.querySelectorAll('body *')).find((e) => e.children.length === 0 && e.textContent?.includes(t))?.textContent?.trim() ?? '?',
      text,
    );
  }

  mouseMove(x: number, y: number): Promise<unknown> {
    return this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none' });
  }

  close(): void {
    this.#socket.close();
  }
}

export interface DevtoolsBrowser {
  readonly page: DevtoolsPage;
  close(): Promise<void>;
}

/**
 * Chromium as `launchChromium` starts it (chromium.ts), headless, with one page of `width` ×
 * `height` CSS pixels at `url`. `initScript` runs in every document before its own scripts.
 */
export async function launchDevtoolsChromium(options: { url: string; width: number; height: number; initScript?: string }): Promise<DevtoolsBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ximorph-chromium-'));
  const child: ChildProcess = spawn(
    chromiumExecutable(),
    ['--headless=new', '--remote-debugging-port=0', `--user-data-dir=${profile}`, `--window-size=${options.width},${options.height}`, ...chromiumArguments, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${errors}`)), 30_000);
    child.stderr!.on('data', (d) => {
      errors += d;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(errors);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`Chromium exited with ${code}:\n${errors}`)));
  });
  const targets = (await (await fetch(new URL('/json/list', endpoint.replace('ws://', 'http://')))).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const page = await DevtoolsPage.connect(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
  await page.send('Emulation.setDeviceMetricsOverride', { width: options.width, height: options.height, deviceScaleFactor: 1, mobile: false });
  // Functions passed to evaluate are compiled by tsx, which may wrap named ones in its helper.
  // (Scripts for new documents run once the Page domain is on.)
  await page.send('Page.enable');
  await page.send('Page.addScriptToEvaluateOnNewDocument', { source: `globalThis.__name = (f) => f;\n${options.initScript ?? ''}` });
  await page.send('Page.navigate', { url: options.url });
  return {
    page,
    async close() {
      page.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
