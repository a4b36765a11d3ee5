CREATE TABLE "artifacts" (
	"uri" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"kind" text NOT NULL,
	"media_type" text NOT NULL,
	"bytes" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"dataset_id" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"objective" text NOT NULL,
	"direction" text NOT NULL,
	"best_trial" integer,
	"best_value" double precision,
	"best_params" jsonb,
	"report_uri" text,
	"workflow_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "campaigns_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED')),
	CONSTRAINT "campaigns_kind_check" CHECK ("kind" IN ('hpo', 'nas')),
	CONSTRAINT "campaigns_direction_check" CHECK ("direction" IN ('maximize', 'minimize'))
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"config" jsonb NOT NULL,
	"sampling_rate_hz" integer,
	"signal_length" integer,
	"num_signals" integer DEFAULT 0 NOT NULL,
	"class_counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"workflow_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "datasets_status_check" CHECK ("status" IN ('PENDING', 'GENERATING', 'READY', 'FAILED', 'CANCELLED')),
	CONSTRAINT "datasets_source_check" CHECK ("source" IN ('synthetic', 'mat'))
);
--> statement-breakpoint
CREATE TABLE "epoch_metrics" (
	"experiment_id" text NOT NULL,
	"epoch" integer NOT NULL,
	"loss" double precision NOT NULL,
	"accuracy" double precision NOT NULL,
	"val_loss" double precision,
	"val_accuracy" double precision,
	"duration_ms" double precision,
	"samples_per_sec" double precision,
	"checkpoint_uri" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "epoch_metrics_experiment_id_epoch_pk" PRIMARY KEY("experiment_id","epoch")
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'train' NOT NULL,
	"dataset_id" text NOT NULL,
	"campaign_id" text,
	"hyperparameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"backend" text,
	"workflow_id" text,
	"epochs_completed" integer DEFAULT 0 NOT NULL,
	"best_epoch" integer,
	"test_accuracy" double precision,
	"test_loss" double precision,
	"confusion_matrix" jsonb,
	"classes" jsonb,
	"class_balance" jsonb,
	"model_uri" text,
	"checkpoint_uri" text,
	"parameter_count" integer,
	"train_samples_per_sec" double precision,
	"stopped_early" boolean,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "experiments_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED')),
	CONSTRAINT "experiments_kind_check" CHECK ("kind" IN ('train', 'hpo-trial', 'nas-candidate'))
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" text PRIMARY KEY NOT NULL,
	"experiment_id" text,
	"artifact_uri" text NOT NULL,
	"backend" text,
	"parameter_count" integer,
	"input_length" integer,
	"classes" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"entity_kind" text NOT NULL,
	"entity_id" text NOT NULL,
	"title" text NOT NULL,
	"message" text NOT NULL,
	"url" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"delivery_error" text,
	"delivery_attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "notifications_event_type_check" CHECK ("event_type" IN ('DATASET_GENERATED', 'DATASET_GENERATION_FAILED', 'DATASET_GENERATION_CANCELLED', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'TRAINING_CANCELLED', 'IMPORT_COMPLETED', 'IMPORT_FAILED', 'HPO_COMPLETED', 'HPO_FAILED', 'HPO_CANCELLED', 'NAS_COMPLETED', 'NAS_FAILED', 'NAS_CANCELLED', 'XAI_COMPLETED', 'XAI_FAILED', 'XAI_CANCELLED')),
	CONSTRAINT "notifications_entity_kind_check" CHECK ("entity_kind" IN ('dataset', 'experiment', 'campaign', 'xai-batch'))
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"dataset_id" text NOT NULL,
	"idx" integer NOT NULL,
	"label" text NOT NULL,
	"severity_in" double precision DEFAULT 0 NOT NULL,
	"load_hp" double precision,
	"shaft_hz" double precision,
	"snr_db" double precision,
	"seed" bigint,
	"artifact_uri" text NOT NULL,
	"length" integer NOT NULL,
	"sampling_rate_hz" integer NOT NULL,
	"rms" double precision,
	"kurtosis" double precision,
	CONSTRAINT "signals_dataset_id_idx_pk" PRIMARY KEY("dataset_id","idx")
);
--> statement-breakpoint
CREATE TABLE "trials" (
	"campaign_id" text NOT NULL,
	"number" integer NOT NULL,
	"experiment_id" text,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"value" double precision,
	"rung" integer DEFAULT 0 NOT NULL,
	"intermediate" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "trials_campaign_id_number_pk" PRIMARY KEY("campaign_id","number"),
	CONSTRAINT "trials_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED'))
);
--> statement-breakpoint
ALTER TABLE "epoch_metrics" ADD CONSTRAINT "epoch_metrics_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "experiments_dataset_idx" ON "experiments" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "experiments_campaign_idx" ON "experiments" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "models_experiment_idx" ON "models" USING btree ("experiment_id");--> statement-breakpoint
CREATE INDEX "notifications_entity_idx" ON "notifications" USING btree ("entity_kind","entity_id");--> statement-breakpoint
CREATE INDEX "notifications_created_idx" ON "notifications" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "signals_dataset_label_idx" ON "signals" USING btree ("dataset_id","label");--> statement-breakpoint
CREATE INDEX "trials_experiment_idx" ON "trials" USING btree ("experiment_id");