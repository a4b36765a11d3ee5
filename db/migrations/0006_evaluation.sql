CREATE TABLE "evaluation_predictions" (
	"model_id" text NOT NULL,
	"dataset_id" text NOT NULL,
	"split" text NOT NULL,
	"probabilities_uri" text NOT NULL,
	"index_uri" text NOT NULL,
	"windows" integer NOT NULL,
	"signals" integer NOT NULL,
	"classes" jsonb NOT NULL,
	"window_length" integer NOT NULL,
	"backend" text,
	"windows_per_sec" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_predictions_model_id_dataset_id_split_pk" PRIMARY KEY("model_id","dataset_id","split"),
	CONSTRAINT "evaluation_predictions_split_check" CHECK ("split" IN ('test', 'validation', 'all'))
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"experiment_ids" jsonb NOT NULL,
	"dataset_id" text,
	"split" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"summary" jsonb,
	"result_uri" text,
	"picture_uri" text,
	"workflow_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "evaluations_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED')),
	CONSTRAINT "evaluations_kind_check" CHECK ("kind" IN ('roc', 'errors', 'compare')),
	CONSTRAINT "evaluations_split_check" CHECK ("split" IN ('test', 'validation', 'all'))
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_event_type_check";--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_entity_kind_check";--> statement-breakpoint
ALTER TABLE "evaluation_predictions" ADD CONSTRAINT "evaluation_predictions_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_type_check" CHECK ("event_type" IN ('DATASET_GENERATED', 'DATASET_GENERATION_FAILED', 'DATASET_GENERATION_CANCELLED', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'TRAINING_CANCELLED', 'IMPORT_COMPLETED', 'IMPORT_FAILED', 'IMPORT_CANCELLED', 'HPO_COMPLETED', 'HPO_FAILED', 'HPO_CANCELLED', 'NAS_COMPLETED', 'NAS_FAILED', 'NAS_CANCELLED', 'XAI_COMPLETED', 'XAI_FAILED', 'XAI_CANCELLED', 'EVALUATION_COMPLETED', 'EVALUATION_FAILED', 'EVALUATION_CANCELLED'));--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_entity_kind_check" CHECK ("entity_kind" IN ('dataset', 'experiment', 'campaign', 'xai-batch', 'evaluation'));