import { adaptiveCard, escapeMarkdown, subtle, text, type AdaptiveCard } from './adaptive-card';

/** Download links for a district's agenda, minutes and pupil list (services/cluster/cluster-export.ts). */
export interface ExportCardView {
  district: string;
  /** Absolute URLs, one per file. */
  agendaUrl: string;
  minutesUrl: string;
  pupilsUrl: string;
  minutesValid: number;
  nameMode: 'names' | 'initials';
}

export function clusterExportCard(view: ExportCardView): AdaptiveCard {
  return adaptiveCard(
    [
      text(`**${escapeMarkdown(view.district)} cluster meeting: documents to circulate**`),
      text(
        view.nameMode === 'names'
          ? 'The files carry pupils’ full names: share them only with people at the meeting who work with these pupils.'
          : 'Pupils appear as initials, year and school.',
        { size: 'small', wrap: true },
      ),
      subtle(`Each link works once, for ${view.minutesValid} minutes. Type the command again for new ones.`),
    ],
    {
      actions: [
        { type: 'Action.OpenUrl', title: 'Agenda (Word)', url: view.agendaUrl },
        { type: 'Action.OpenUrl', title: 'Minutes (Word)', url: view.minutesUrl },
        { type: 'Action.OpenUrl', title: 'Pupil list (CSV)', url: view.pupilsUrl },
      ],
      fallbackText: `Documents for the ${view.district} cluster meeting: open Teams to download them.`,
    },
  );
}
