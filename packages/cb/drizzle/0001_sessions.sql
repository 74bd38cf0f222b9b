CREATE TABLE `session_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`at` text NOT NULL,
	`doc` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `session_log_session` ON `session_log` (`session_id`,`id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`live_name` text,
	`state` text NOT NULL,
	`agent` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`ended_at` text,
	`doc` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_live_name_unique` ON `sessions` (`live_name`);--> statement-breakpoint
CREATE INDEX `sessions_name` ON `sessions` (`name`);--> statement-breakpoint
CREATE INDEX `sessions_state` ON `sessions` (`state`);