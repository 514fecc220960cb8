/** The part of `WebAssembly.Memory` used here (the project's `lib` setting has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
};

const PAGE_BYTES = 65_536;
const MiB = 1024 * 1024;

/**
 * The WebAssembly memory the QuickJS module runs in, with a growth cap the worker moves per run.
 *
 * Why: the prebuilt quickjs-emscripten wasm cannot measure its allocations (`malloc_usable_size` is 0 under
 * Emscripten), so `runtime.setMemoryLimit` only rejects single allocations larger than the limit, and an
 * array of many small allocations grows without bound (quickjs-emscripten issues #255, #271). Refusing to
 * grow the wasm memory past `baseline + limit` makes `malloc` return NULL, which QuickJS reports as its
 * ordinary "out of memory" error.
 *
 * Precision: Emscripten over-asks by up to 20% and retries smaller, so the cap holds to about 5%. It bounds
 * the heap's size, not its use: the module starts with 16 MiB (its minimum) of which an idle worker uses ~2,
 * and memory freed by earlier runs is reused without growing. So a run can use `memoryBytes` plus what is
 * already free (~14 MiB in a fresh worker; more after a run with a larger limit), while the worker as a whole
 * never exceeds `baseline + limit`. `runtime.setMemoryLimit` still rejects any single larger allocation.
 */
export class CappedHeap {
  /** Pass to the QuickJS variant as `wasmMemory`. */
  readonly memory: WasmMemory;
  #baseline: number;
  #cap: number | undefined;
  #refused = false;

  constructor(initialBytes = 16 * MiB, maximumBytes = 2048 * MiB) {
    this.memory = new WebAssembly.Memory({
      initial: Math.ceil(initialBytes / PAGE_BYTES),
      maximum: Math.ceil(maximumBytes / PAGE_BYTES),
    });
    this.#baseline = this.memory.buffer.byteLength;
    const grow = this.memory.grow.bind(this.memory);
    // Emscripten calls `memory.grow` inside a try/catch and treats a throw as "no more memory".
    this.memory.grow = (deltaPages: number): number => {
      if (this.#cap !== undefined && this.size + deltaPages * PAGE_BYTES > this.#cap) {
        this.#refused = true;
        throw new RangeError("sandbox heap cap reached");
      }
      return grow(deltaPages);
    };
  }

  /** Current size of the memory in bytes (it never shrinks). */
  get size(): number {
    return this.memory.buffer.byteLength;
  }

  /** Size when idle, measured by {@link markBaseline}. */
  get baseline(): number {
    return this.#baseline;
  }

  /** Records the current size as the idle baseline (call once the module and a first context exist). */
  markBaseline(): void {
    this.#baseline = this.size;
  }

  /** Lets the memory grow to at most `baseline + bytes`; `undefined` lifts the cap. Resets {@link refused}. */
  limitGrowth(bytes: number | undefined): void {
    this.#cap = bytes === undefined ? undefined : this.#baseline + bytes;
    if (bytes !== undefined) this.#refused = false;
  }

  /** Whether growth was refused since the cap was last set: the code ran out of memory. */
  get refused(): boolean {
    return this.#refused;
  }
}
