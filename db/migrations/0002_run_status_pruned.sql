ALTER TABLE "campaigns" DROP CONSTRAINT "campaigns_status_check";--> statement-breakpoint
ALTER TABLE "experiments" DROP CONSTRAINT "experiments_status_check";--> statement-breakpoint
ALTER TABLE "trials" DROP CONSTRAINT "trials_status_check";--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'));--> statement-breakpoint
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'));--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_status_check" CHECK ("status" IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'));