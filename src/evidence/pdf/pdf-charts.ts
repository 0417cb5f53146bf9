import { printable } from './pdf-text.js';
import type { ReportDocument } from './report-document.js';

export interface Column {
  label: string;
  value: number;
  /** Part of value drawn darker (failed and denied among all events). */
  highlight?: number;
}

/** Columns over time (activity): value on the y axis, a few labels under the x axis. */
export function columnChart(
  rd: ReportDocument,
  title: string,
  columns: Column[],
  legend: [string, string],
): void {
  const { doc } = rd;
  const height = 140;
  rd.ensure(height + 60);
  doc.font('bold').fontSize(9).text(printable(title, 200), rd.left, doc.y, { width: rd.width });
  const axis = 36;
  const top = doc.y + 6;
  const left = rd.left + axis;
  const width = rd.width - axis;
  const max = Math.max(1, ...columns.map((c) => c.value));
  const step = width / Math.max(1, columns.length);
  doc.lineWidth(0.5).strokeColor('#888888');
  doc
    .moveTo(left, top)
    .lineTo(left, top + height)
    .lineTo(left + width, top + height)
    .stroke();
  doc.font('regular').fontSize(6.5).fillColor('#333333');
  doc.text(String(max), rd.left, top - 3, { width: axis - 4, align: 'right' });
  doc.text('0', rd.left, top + height - 4, { width: axis - 4, align: 'right' });
  for (const [i, c] of columns.entries()) {
    const h = (c.value / max) * height;
    const x = left + i * step + step * 0.1;
    const w = Math.max(0.5, step * 0.8);
    if (h > 0) doc.rect(x, top + height - h, w, h).fill('#7aa6d6');
    const hi = ((c.highlight ?? 0) / max) * height;
    if (hi > 0) doc.rect(x, top + height - hi, w, hi).fill('#c0504d');
  }
  // About six labels, whatever the number of columns.
  const every = Math.max(1, Math.ceil(columns.length / 6));
  doc.fillColor('#333333');
  for (let i = 0; i < columns.length; i += every)
    doc.text(printable(columns[i]!.label, 40), left + i * step, top + height + 3, {
      width: step * every,
      lineBreak: false,
    });
  const legendY = top + height + 14;
  doc.rect(left, legendY + 1, 6, 6).fill('#7aa6d6');
  doc.fillColor('black').text(legend[0], left + 9, legendY, { lineBreak: false });
  doc.rect(left + 120, legendY + 1, 6, 6).fill('#c0504d');
  doc.fillColor('black').text(legend[1], left + 129, legendY, { lineBreak: false });
  doc.fillColor('black').strokeColor('black');
  doc.x = rd.left;
  doc.y = legendY + 14;
}

export interface Bar {
  label: string;
  value: number;
  /** What is written beside the bar (a duration, a count). */
  text: string;
}

/** Horizontal bars, one per label (alert handling times per rule). */
export function barChart(rd: ReportDocument, title: string, bars: Bar[], color = '#7aa6d6'): void {
  const { doc } = rd;
  const rowHeight = 13;
  rd.ensure(Math.min(bars.length, 10) * rowHeight + 30);
  doc.font('bold').fontSize(9).text(printable(title, 200), rd.left, doc.y, { width: rd.width });
  doc.moveDown(0.2);
  if (bars.length === 0) {
    doc.font('regular').fontSize(8).text('none', rd.left, doc.y);
    doc.moveDown(0.4);
    return;
  }
  const labelWidth = rd.width * 0.35;
  const textWidth = 70;
  const barSpace = rd.width - labelWidth - textWidth - 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  for (const b of bars) {
    rd.ensure(rowHeight);
    const y = doc.y;
    doc.font('regular').fontSize(7.5).fillColor('black');
    doc.text(printable(b.label, 80), rd.left, y + 2, {
      width: labelWidth - 4,
      height: rowHeight - 2,
      ellipsis: true,
      lineBreak: false,
    });
    const w = (b.value / max) * barSpace;
    if (w > 0) doc.rect(rd.left + labelWidth, y + 2, w, rowHeight - 4).fill(color);
    doc.fillColor('black').text(printable(b.text, 30), rd.left + labelWidth + w + 4, y + 2, {
      width: textWidth,
      lineBreak: false,
    });
    doc.x = rd.left;
    doc.y = y + rowHeight;
  }
  doc.moveDown(0.4);
}
