CREATE TABLE "verify_coverage_files" (
	"run_id" text NOT NULL,
	"file" text NOT NULL,
	"lines_pct" double precision NOT NULL,
	"branches_pct" double precision NOT NULL,
	"functions_pct" double precision NOT NULL,
	"statements_pct" double precision NOT NULL,
	"figures" jsonb NOT NULL,
	CONSTRAINT "verify_coverage_files_run_id_file_pk" PRIMARY KEY("run_id","file")
);
--> statement-breakpoint
CREATE TABLE "verify_findings" (
	"run_id" text NOT NULL,
	"idx" integer NOT NULL,
	"tool" text NOT NULL,
	"file" text NOT NULL,
	"line" integer NOT NULL,
	"column" integer NOT NULL,
	"rule" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "verify_findings_run_id_idx_pk" PRIMARY KEY("run_id","idx"),
	CONSTRAINT "verify_findings_severity_check" CHECK ("severity" IN ('error', 'warning', 'info'))
);
--> statement-breakpoint
CREATE TABLE "verify_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'RUNNING' NOT NULL,
	"request" jsonb NOT NULL,
	"summary" jsonb,
	"junit_uri" text,
	"coverage_html_uri" text,
	"report_uri" text,
	"workflow_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "verify_runs_kind_check" CHECK ("kind" IN ('tests', 'quality', 'bench')),
	CONSTRAINT "verify_runs_status_check" CHECK ("status" IN ('RUNNING', 'PASSED', 'FAILED', 'ERROR', 'TIMED_OUT', 'CANCELLED'))
);
--> statement-breakpoint
CREATE TABLE "verify_test_results" (
	"run_id" text NOT NULL,
	"idx" integer NOT NULL,
	"file" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"duration_ms" integer NOT NULL,
	"failure_message" text,
	CONSTRAINT "verify_test_results_run_id_idx_pk" PRIMARY KEY("run_id","idx"),
	CONSTRAINT "verify_test_results_status_check" CHECK ("status" IN ('passed', 'failed', 'skipped', 'todo'))
);
--> statement-breakpoint
ALTER TABLE "verify_coverage_files" ADD CONSTRAINT "verify_coverage_files_run_id_verify_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."verify_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verify_findings" ADD CONSTRAINT "verify_findings_run_id_verify_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."verify_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verify_test_results" ADD CONSTRAINT "verify_test_results_run_id_verify_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."verify_runs"("id") ON DELETE cascade ON UPDATE no action;