import { afterEach, beforeEach, describe } from "vitest";
import type { EngineStore, EngineStoreOptions } from "./index.js";
import { describeEventContract } from "./test-contract-events.js";
import { describeExecutionContract } from "./test-contract-executions.js";
import { describeMiscContract } from "./test-contract-misc.js";
import { describePresetContract } from "./test-contract-presets.js";
import { describeVariableContract } from "./test-contract-variables.js";

/** What a test may vary when it opens a store. */
export type OpenExtras = Pick<EngineStoreOptions, "now" | "onWarn" | "events" | "secretKey">;

/** One empty database (and data folder) a contract test runs on; `open` may be called again to reopen it. */
export interface TargetInstance {
  dataDir: string;
  open(extras: OpenExtras): Promise<EngineStore>;
  dispose(): Promise<void>;
}

/** A storage backend under test: SQLite now, PostgreSQL later. */
export interface ContractTarget {
  create(): Promise<TargetInstance>;
  /** True when the database's files live in the data folder (SQLite), so file scans must find clear values. */
  databaseInDataDir: boolean;
}

/** A controllable clock, starting at 2025-01-01T00:00:00Z. */
export interface TestClock {
  now: () => Date;
  tick(ms: number): void;
  iso(): string;
}

/** Per-test state handed to every contract part. */
export interface ContractHarness {
  /** The open store (opened before each test with the clock and warning capture). */
  readonly store: EngineStore;
  readonly dataDir: string;
  readonly databaseInDataDir: boolean;
  readonly clock: TestClock;
  /** Warnings reported by the store during the test. */
  readonly warnings: { message: string; details: Record<string, unknown> }[];
  /** Opens another store on the same database (extras override the defaults). */
  open(extras?: OpenExtras): Promise<EngineStore>;
  /** Closes the current store and opens the same database again. */
  reopen(extras?: OpenExtras): Promise<EngineStore>;
}

function makeClock(): TestClock {
  let t = Date.parse("2025-01-01T00:00:00.000Z");
  return {
    now: () => new Date(t),
    tick: (ms) => {
      t += ms;
    },
    iso: () => new Date(t).toISOString(),
  };
}

/**
 * The engine store contract: every behaviour the engine relies on, run against one backend. Hono-style: each
 * backend calls this once with its own {@link ContractTarget}.
 *
 * @example
 * describeEngineStoreContract("sqlite", { create: async () => sqliteTarget() });
 */
export function describeEngineStoreContract(name: string, target: ContractTarget): void {
  describe(`engine store contract: ${name}`, () => {
    let instance: TargetInstance;
    let current: EngineStore;
    let opened: EngineStore[] = [];
    let clock: TestClock;
    let warnings: ContractHarness["warnings"] = [];

    const open = async (extras: OpenExtras = {}): Promise<EngineStore> => {
      const store = await instance.open({
        now: clock.now,
        onWarn: (message, details) => warnings.push({ message, details }),
        ...extras,
      });
      opened.push(store);
      return store;
    };

    const harness: ContractHarness = {
      get store() {
        return current;
      },
      get dataDir() {
        return instance.dataDir;
      },
      databaseInDataDir: target.databaseInDataDir,
      get clock() {
        return clock;
      },
      get warnings() {
        return warnings;
      },
      open,
      async reopen(extras) {
        await current.close();
        current = await open(extras);
        return current;
      },
    };

    beforeEach(async () => {
      clock = makeClock();
      warnings = [];
      opened = [];
      instance = await target.create();
      current = await open();
    });

    afterEach(async () => {
      for (const store of opened) await store.close();
      await instance.dispose();
    });

    describePresetContract(harness);
    describeVariableContract(harness);
    describeExecutionContract(harness);
    describeEventContract(harness);
    describeMiscContract(harness);
  });
}
