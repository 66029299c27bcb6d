import {
  created,
  createCommand,
  given,
  sealed,
  T1,
  WEBHOOK_ID,
  COMPANY,
} from '../testing/webhook-decider.fixtures';
import { DEFAULT_WEBHOOK_QUOTAS } from './webhook-quotas';

const headers = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `X-H${i}`, value: sealed(`h${i}`) }));
const update = { type: 'UpdateWebhook', webhookId: WEBHOOK_ID, company: COMPANY, now: T1 } as const;

function violationsOf(run: () => void) {
  try {
    run();
  } catch (error) {
    return (error as { violations?: Array<{ field: string; rule: string }> }).violations?.map(
      ({ field, rule }) => [field, rule],
    );
  }
  return [];
}

describe('webhook quotas', () => {
  it('by default a webhook has at most 20 custom headers', () => {
    given()
      .when(createCommand({ headers: headers(20) }))
      .then([created({ headers: headers(20) })]);
    const error = given()
      .when(createCommand({ headers: headers(21) }))
      .thenThrows('validation_failed');
    expect(error.violations).toEqual([
      expect.objectContaining({ field: 'headers', rule: 'too_many' }),
    ]);
  });

  it('the deployment sets the quotas: fewer headers, a smaller template', () => {
    const quotas = { ...DEFAULT_WEBHOOK_QUOTAS, headersPerWebhook: 2, templateMaxBytes: 40 };
    const template = `{"text": "${'x'.repeat(40)}"}`;
    expect(
      violationsOf(() =>
        given()
          .when(createCommand({ headers: headers(3), quotas }))
          .then([]),
      ),
    ).toEqual([['headers', 'too_many']]);
    expect(
      violationsOf(() =>
        given(created())
          .when({ ...update, bodyTemplate: template, quotas })
          .then([]),
      ),
    ).toEqual([['bodyTemplate', 'max_length']]);
  });

  it('successive updates cannot grow a webhook past the record size', () => {
    const quotas = { ...DEFAULT_WEBHOOK_QUOTAS, recordMaxBytes: 4096 };
    const projectIds = Array.from({ length: 40 }, (_, i) => `project-${i}-${'p'.repeat(100)}`);
    expect(
      violationsOf(() =>
        given(created())
          .when({ ...update, projectIds, quotas })
          .then([]),
      ),
    ).toEqual([['webhook', 'too_large']]);
    // Within the record size, the same update is accepted.
    given(created())
      .when({ ...update, projectIds: projectIds.slice(0, 5), quotas })
      .then([
        {
          type: 'WebhookUpdated',
          schemaVersion: 1,
          data: {
            webhookId: WEBHOOK_ID,
            company: COMPANY,
            changes: { projectIds: projectIds.slice(0, 5) },
            updatedAt: T1,
          },
        },
      ]);
  });
});
