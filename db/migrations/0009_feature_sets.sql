CREATE TABLE "feature_analyses" (
	"id" text PRIMARY KEY NOT NULL,
	"feature_set_id" text NOT NULL,
	"mode" text NOT NULL,
	"options" jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"summary" jsonb,
	"features" jsonb,
	"result_uri" text,
	"picture_uri" text,
	"workflow_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "feature_analyses_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED')),
	CONSTRAINT "feature_analyses_mode_check" CHECK ("mode" IN ('importance', 'select', 'correlation'))
);
--> statement-breakpoint
CREATE TABLE "feature_sets" (
	"id" text PRIMARY KEY NOT NULL,
	"dataset_id" text NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"workflow_id" text,
	"num_rows" integer,
	"num_features" integer,
	"feature_names" jsonb,
	"matrix_uri" text,
	"index_uri" text,
	"catalog_uri" text,
	"rows_per_sec" double precision,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "feature_sets_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'))
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_event_type_check";--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_entity_kind_check";--> statement-breakpoint
ALTER TABLE "feature_analyses" ADD CONSTRAINT "feature_analyses_feature_set_id_feature_sets_id_fk" FOREIGN KEY ("feature_set_id") REFERENCES "public"."feature_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_sets" ADD CONSTRAINT "feature_sets_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feature_sets_dataset_idx" ON "feature_sets" USING btree ("dataset_id");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_type_check" CHECK ("event_type" IN ('DATASET_GENERATED', 'DATASET_GENERATION_FAILED', 'DATASET_GENERATION_CANCELLED', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'TRAINING_CANCELLED', 'IMPORT_COMPLETED', 'IMPORT_FAILED', 'IMPORT_CANCELLED', 'HPO_COMPLETED', 'HPO_FAILED', 'HPO_CANCELLED', 'NAS_COMPLETED', 'NAS_FAILED', 'NAS_CANCELLED', 'XAI_COMPLETED', 'XAI_FAILED', 'XAI_CANCELLED', 'EVALUATION_COMPLETED', 'EVALUATION_FAILED', 'EVALUATION_CANCELLED', 'FEATURES_EXTRACTED', 'FEATURES_FAILED', 'FEATURES_CANCELLED', 'FEATURE_ANALYSIS_COMPLETED', 'FEATURE_ANALYSIS_FAILED', 'FEATURE_ANALYSIS_CANCELLED'));--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_entity_kind_check" CHECK ("entity_kind" IN ('dataset', 'experiment', 'campaign', 'xai-batch', 'evaluation', 'feature-set', 'feature-analysis'));