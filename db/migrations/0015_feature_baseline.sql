-- Feature analyses gain the `baseline` mode: a random forest on a CNN experiment's split (issue 10, item 7).
ALTER TABLE "feature_analyses" DROP CONSTRAINT "feature_analyses_mode_check";--> statement-breakpoint
ALTER TABLE "feature_analyses" ADD CONSTRAINT "feature_analyses_mode_check" CHECK ("mode" IN ('importance', 'select', 'correlation', 'baseline'));
