import * as z from 'zod';

/**
 * Slack's incoming-webhook payload, as far as EnvSync uses it, recorded from Slack's Block Kit
 * reference (docs.slack.dev/reference/block-kit): a top-level `text` (the notification fallback,
 * required when blocks are sent) and at most 50 blocks; a header is `plain_text` of at most 150
 * characters; a section has `text` (at most 3000) and/or at most 10 `fields` (each at most 2000);
 * a context block has 1-10 elements. Strict, so an unknown field Slack would reject fails the test.
 */
const plain = z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(150), emoji: z.boolean().optional() });
const text = (max: number) => z.strictObject({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().min(1).max(max) });

const header = z.strictObject({ type: z.literal('header'), text: plain, block_id: z.string().max(255).optional() });
const section = z
  .strictObject({ type: z.literal('section'), text: text(3000).optional(), fields: z.array(text(2000)).min(1).max(10).optional(), block_id: z.string().max(255).optional() })
  .refine((block) => block.text !== undefined || block.fields !== undefined, 'a section needs text or fields');
const context = z.strictObject({ type: z.literal('context'), elements: z.array(text(3000)).min(1).max(10), block_id: z.string().max(255).optional() });

export const slackIncomingWebhookSchema = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z.array(z.union([header, section, context])).max(50),
});
