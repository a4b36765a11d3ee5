CREATE TABLE "xai_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"model_id" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"methods" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"total_signals" integer DEFAULT 0 NOT NULL,
	"completed_signals" integer DEFAULT 0 NOT NULL,
	"failed_signals" integer DEFAULT 0 NOT NULL,
	"background_uri" text,
	"summary_uri" text,
	"summary_json_uri" text,
	"workflow_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "xai_batches_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'))
);
--> statement-breakpoint
CREATE TABLE "xai_explanations" (
	"batch_id" text NOT NULL,
	"dataset_id" text NOT NULL,
	"signal_idx" integer NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"label" text,
	"target_label" text,
	"predicted_label" text,
	"probability" double precision,
	"window_starts" jsonb,
	"attribution_uri" text,
	"picture_uri" text,
	"top_segments" jsonb,
	"segment_shares" jsonb,
	"band_shares" jsonb,
	"dominant_band_low_hz" double precision,
	"dominant_band_high_hz" double precision,
	"peak_hz" double precision,
	"faithfulness" double precision,
	"auc_method" double precision,
	"auc_random" double precision,
	"completeness_error" double precision,
	"duration_ms" double precision,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "xai_explanations_batch_id_dataset_id_signal_idx_method_pk" PRIMARY KEY("batch_id","dataset_id","signal_idx","method"),
	CONSTRAINT "xai_explanations_status_check" CHECK ("status" IN ('COMPLETED', 'FAILED'))
);
--> statement-breakpoint
ALTER TABLE "xai_explanations" ADD CONSTRAINT "xai_explanations_batch_id_xai_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."xai_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "xai_explanations_batch_label_idx" ON "xai_explanations" USING btree ("batch_id","label");