ALTER TABLE "experiments" ADD COLUMN "best_val_accuracy" double precision;--> statement-breakpoint
ALTER TABLE "experiments" ADD COLUMN "best_val_loss" double precision;