CREATE TABLE "dataset_files" (
	"dataset_id" text NOT NULL,
	"file_name" text NOT NULL,
	"status" text NOT NULL,
	"content_hash" text,
	"duplicate_of" text,
	"source" text,
	"bytes" bigint,
	"label" text,
	"fault_type" text,
	"fault_size_in" double precision,
	"load_hp" double precision,
	"rpm" double precision,
	"channel" text,
	"variable" text,
	"source_rate_hz" integer,
	"source_samples" integer,
	"first_idx" integer,
	"segments" integer,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dataset_files_dataset_id_file_name_pk" PRIMARY KEY("dataset_id","file_name"),
	CONSTRAINT "dataset_files_status_check" CHECK ("status" IN ('IMPORTING', 'IMPORTED', 'DUPLICATE', 'FAILED'))
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_event_type_check";--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "fault_type" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "source_file" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "file_hash" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "rpm" double precision;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "offset_samples" integer;--> statement-breakpoint
ALTER TABLE "dataset_files" ADD CONSTRAINT "dataset_files_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_files_content_idx" ON "dataset_files" USING btree ("dataset_id","content_hash") WHERE "status" IN ('IMPORTING', 'IMPORTED');--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_type_check" CHECK ("event_type" IN ('DATASET_GENERATED', 'DATASET_GENERATION_FAILED', 'DATASET_GENERATION_CANCELLED', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'TRAINING_CANCELLED', 'IMPORT_COMPLETED', 'IMPORT_FAILED', 'IMPORT_CANCELLED', 'HPO_COMPLETED', 'HPO_FAILED', 'HPO_CANCELLED', 'NAS_COMPLETED', 'NAS_FAILED', 'NAS_CANCELLED', 'XAI_COMPLETED', 'XAI_FAILED', 'XAI_CANCELLED'));