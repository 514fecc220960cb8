import type { Kysely, Migration } from "kysely";
import { addAutoId, dialectOf } from "./dialect.js";

/** The first schema: presets, variables, settings, executions (events, nodes, checkpoints), audit log, meta. */
export const migration001Initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    const s = db.schema;

    await s
      .createTable("meta")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();

    await s
      .createTable("preset_heads")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("latest_version", "integer", (c) => c.notNull())
      .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await s
      .createTable("preset_versions")
      .addColumn("name", "text", (c) => c.notNull().references("preset_heads.name").onDelete("cascade"))
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("workflow_data", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .addColumn("message", "text")
      .addColumn("signature", "text")
      .addPrimaryKeyConstraint("preset_versions_pk", ["name", "version"])
      .execute();

    await s
      .createTable("variables")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("value_list", "text", (c) => c.notNull())
      .addColumn("mode", "text", (c) => c.notNull())
      .addColumn("is_secret", "integer", (c) => c.notNull())
      .addColumn("is_enabled", "integer", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();

    await s
      .createTable("settings")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();

    await s
      .createTable("executions")
      .addColumn("job_id", "text", (c) => c.primaryKey())
      .addColumn("preset_name", "text")
      .addColumn("mode", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("started_by", "text")
      .addColumn("queued_at", "text", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("ended_at", "text")
      .addColumn("duration_ms", "double precision")
      .addColumn("error_code", "text")
      .addColumn("error_message", "text")
      .addColumn("result", "text")
      .addColumn("workflow_data", "text", (c) => c.notNull())
      .addColumn("initial_payload", "text")
      .addColumn("start_node_id", "text")
      .addColumn("last_seq", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await s.createIndex("executions_started_at").on("executions").columns(["started_at", "job_id"]).execute();
    await s.createIndex("executions_status").on("executions").column("status").execute();
    await s.createIndex("executions_ended_at").on("executions").column("ended_at").execute();

    await s
      .createTable("execution_events")
      .addColumn("job_id", "text", (c) => c.notNull().references("executions.job_id").onDelete("cascade"))
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("data", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("execution_events_pk", ["job_id", "seq"])
      .execute();
    await s
      .createTable("execution_nodes")
      .addColumn("job_id", "text", (c) => c.notNull().references("executions.job_id").onDelete("cascade"))
      .addColumn("node_id", "text", (c) => c.notNull())
      .addColumn("ord", "integer", (c) => c.notNull())
      .addColumn("module_id", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("duration_ms", "double precision")
      .addColumn("output_port", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("execution_nodes_pk", ["job_id", "node_id"])
      .execute();
    await s
      .createTable("checkpoints")
      .addColumn("job_id", "text", (c) => c.primaryKey().references("executions.job_id").onDelete("cascade"))
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();

    await addAutoId(s.createTable("audit_log"), dialect)
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("message", "text", (c) => c.notNull())
      .addColumn("signature", "text", (c) => c.notNull())
      .addColumn("payload_sha256", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("audit_log_ts").on("audit_log").columns(["ts", "id"]).execute();
  },
};
