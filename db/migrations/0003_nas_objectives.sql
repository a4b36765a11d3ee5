ALTER TABLE "experiments" ADD COLUMN "inference_ms_per_window" double precision;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "metrics" jsonb DEFAULT '{}'::jsonb NOT NULL;