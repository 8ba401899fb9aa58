/**
 * The pre-sale notice's link to the taxpayer's self-service page (docs/SELF_SERVICE.md): a signed
 * code bound to the city, the case and this notice, valid until some weeks after the notice's
 * deadline, recorded in the table (the page's API finds the notice by it) and added to the notice's
 * data, so the text gains the address, the code and its expiry, and the print record a QR code.
 * Everything is derived from the notice itself: a retried notice carries the same link, its text the
 * same hash, and the print batch's duplicate check still holds.
 */
import { addDays } from '#domain/dates';
import type { NoticeContent } from '#domain/notices';
import { LINK_GRACE_DAYS } from '#domain/self-service';
import type { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { formatCode, linkCode, type AccessKeys } from '#adapters/self-service/access-keys';
import type { NoticeMessage } from '#adapters/sqs/notice-queue';

export interface SelfServiceLinkDeps {
  keys: () => Promise<AccessKeys>;
  links: Pick<DynamoDbSelfServiceStore, 'putLink'>;
  /** The page's address; the code follows after '#', so it never reaches a server's logs or a Referer. */
  pageUrl: string;
  now?: () => Date;
}

export function selfServiceLinker(
  deps: SelfServiceLinkDeps,
): (ref: NoticeMessage, content: NoticeContent) => Promise<NoticeContent> {
  return async (ref, content) => {
    if (content.kind !== 'PRE_SALE') return content;
    // From the notice's own (earliest) deadline, never from settings that may change between attempts.
    const grant = {
      cityId: ref.cityId,
      caseId: ref.caseId,
      noticeId: ref.noticeId,
      expiresOn: addDays(content.data.deadline, LINK_GRACE_DAYS),
    };
    const code = linkCode(await deps.keys(), grant);
    await deps.links.putLink(code, grant, (deps.now ?? (() => new Date()))().toISOString());
    const printed = formatCode(code);
    return {
      ...content,
      data: {
        ...content.data,
        selfService: { url: `${deps.pageUrl}#${printed}`, code: printed, expiresOn: grant.expiresOn },
      },
    };
  };
}
