import { create } from 'xmlbuilder2';

/**
 * An ISO 20022 customer credit transfer initiation (pain.001.001.03, the version every SEPA bank takes),
 * built with xmlbuilder2 (escaping and structure by the library, never by string concatenation): one
 * payment information block, the coalition as debtor, one credit transfer per payout, SEPA service level,
 * shared charges (SLEV). Element order follows the schema.
 */

export const PAIN_001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03';

export interface Payout {
  /** End-to-end id the bank reports back: the cashout's id without hyphens (32 characters, at most 35). */
  endToEndId: string;
  amount: string;
  creditorName: string;
  creditorIban: string;
  remittance: string;
}

export interface CreditTransferFile {
  messageId: string;
  createdAt: Date;
  executionDate: string;
  currency: string;
  debtor: { name: string; iban: string; bic: string | null };
  payouts: readonly Payout[];
  /** The sum of the amounts, as a decimal with the currency's digits. */
  controlSum: string;
}

/** SEPA's character set (Latin letters, digits, / - ? : ( ) . , ' + space); anything else becomes a space. */
export function sepaText(value: string, max: number): string {
  const latin = value.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return latin.replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max) || 'NOTPROVIDED';
}

export function pain001Xml(file: CreditTransferFile): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(PAIN_001_NAMESPACE, 'Document');
  const root = doc.ele('CstmrCdtTrfInitn');
  const header = root.ele('GrpHdr');
  header.ele('MsgId').txt(file.messageId);
  header.ele('CreDtTm').txt(file.createdAt.toISOString().replace(/\.\d{3}Z$/, ''));
  header.ele('NbOfTxs').txt(String(file.payouts.length));
  header.ele('CtrlSum').txt(file.controlSum);
  header.ele('InitgPty').ele('Nm').txt(sepaText(file.debtor.name, 70));

  const info = root.ele('PmtInf');
  info.ele('PmtInfId').txt(file.messageId);
  info.ele('PmtMtd').txt('TRF');
  info.ele('BtchBookg').txt('false');
  info.ele('NbOfTxs').txt(String(file.payouts.length));
  info.ele('CtrlSum').txt(file.controlSum);
  info.ele('PmtTpInf').ele('SvcLvl').ele('Cd').txt('SEPA');
  info.ele('ReqdExctnDt').txt(file.executionDate);
  info.ele('Dbtr').ele('Nm').txt(sepaText(file.debtor.name, 70));
  info.ele('DbtrAcct').ele('Id').ele('IBAN').txt(file.debtor.iban);
  const agent = info.ele('DbtrAgt').ele('FinInstnId');
  if (file.debtor.bic) agent.ele('BIC').txt(file.debtor.bic);
  else agent.ele('Othr').ele('Id').txt('NOTPROVIDED');
  info.ele('ChrgBr').txt('SLEV');
  for (const p of file.payouts) {
    const tx = info.ele('CdtTrfTxInf');
    tx.ele('PmtId').ele('EndToEndId').txt(p.endToEndId);
    tx.ele('Amt').ele('InstdAmt', { Ccy: file.currency }).txt(p.amount);
    tx.ele('Cdtr').ele('Nm').txt(sepaText(p.creditorName, 70));
    tx.ele('CdtrAcct').ele('Id').ele('IBAN').txt(p.creditorIban);
    tx.ele('RmtInf').ele('Ustrd').txt(sepaText(p.remittance, 140));
  }
  return doc.end({ prettyPrint: true });
}
