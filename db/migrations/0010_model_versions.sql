CREATE TABLE "model_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"experiment_id" text NOT NULL,
	"deployment_id" text NOT NULL,
	"parent_id" text,
	"source_model_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"replaces_id" text,
	"artifact_uri" text NOT NULL,
	"bytes" bigint NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "model_versions_kind_check" CHECK ("kind" IN ('onnx-fp32', 'onnx-optimized', 'onnx-int8-static', 'onnx-int8-dynamic', 'onnx-fp16')),
	CONSTRAINT "model_versions_status_check" CHECK ("status" IN ('exported', 'validated', 'rejected', 'published', 'retired', 'rolled_back'))
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_event_type_check";--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_entity_kind_check";--> statement-breakpoint
CREATE INDEX "model_versions_experiment_idx" ON "model_versions" USING btree ("experiment_id");--> statement-breakpoint
CREATE INDEX "model_versions_deployment_idx" ON "model_versions" USING btree ("deployment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "model_versions_published_idx" ON "model_versions" USING btree ("experiment_id") WHERE "model_versions"."published";--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_type_check" CHECK ("event_type" IN ('DATASET_GENERATED', 'DATASET_GENERATION_FAILED', 'DATASET_GENERATION_CANCELLED', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'TRAINING_CANCELLED', 'IMPORT_COMPLETED', 'IMPORT_FAILED', 'IMPORT_CANCELLED', 'HPO_COMPLETED', 'HPO_FAILED', 'HPO_CANCELLED', 'NAS_COMPLETED', 'NAS_FAILED', 'NAS_CANCELLED', 'XAI_COMPLETED', 'XAI_FAILED', 'XAI_CANCELLED', 'EVALUATION_COMPLETED', 'EVALUATION_FAILED', 'EVALUATION_CANCELLED', 'DEPLOYMENT_COMPLETED', 'DEPLOYMENT_FAILED', 'DEPLOYMENT_ROLLED_BACK'));--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_entity_kind_check" CHECK ("entity_kind" IN ('dataset', 'experiment', 'campaign', 'xai-batch', 'evaluation', 'deployment'));