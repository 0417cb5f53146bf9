import PDFDocument from 'pdfkit';
import { FONTS } from './pdf-fonts.js';
import { printable } from './pdf-text.js';

const MARGIN = 48;
const FOOTER = 24;
const CELL_PAD = 3;
/** A cell shows at most this many lines; the rest is cut with an ellipsis. */
const CELL_LINES = 3;
/** Rows a printed table holds; the CSV and JSON carry every row. */
export const MAX_PRINTED_ROWS = 2000;

export interface Column {
  title: string;
  /** Share of the table's width. */
  width: number;
  align?: 'left' | 'right';
}

/**
 * One printed report on A4: a title, what it was computed from, sections of key–value
 * lines, tables and charts; every page footed with the checkpoint and its page number.
 * Text goes through `printable` before it is laid out.
 */
export class ReportDocument {
  readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];

  constructor(
    title: string,
    private readonly footer: string,
    createdAt: Date,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN, bottom: MARGIN + FOOTER, left: MARGIN, right: MARGIN },
      // The embedded font from the start: pdfkit would otherwise load Helvetica, which a
      // PDF names but does not carry.
      font: FONTS.regular,
      bufferPages: true,
      info: { Title: printable(title, 200), Creator: 'Evident', CreationDate: createdAt },
      lang: 'en',
    });
    this.doc.registerFont('regular', FONTS.regular);
    this.doc.registerFont('bold', FONTS.bold);
    this.doc.registerFont('mono', FONTS.mono);
    this.doc.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    this.doc.font('bold').fontSize(16).text(printable(title, 200));
    this.doc.moveDown(0.3);
  }

  get width(): number {
    return this.doc.page.width - MARGIN * 2;
  }

  get left(): number {
    return MARGIN;
  }

  /** Starts a new page when fewer than `height` points are left on this one. */
  ensure(height: number): void {
    const bottom = this.doc.page.height - this.doc.page.margins.bottom;
    if (this.doc.y + height > bottom) this.doc.addPage();
  }

  section(title: string): void {
    this.ensure(60);
    this.doc.moveDown(0.6);
    this.doc
      .font('bold')
      .fontSize(12)
      .text(printable(title, 200), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.2);
  }

  paragraph(text: string, size = 9): void {
    this.doc
      .font('regular')
      .fontSize(size)
      .text(printable(text, 2000), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  /** Fixed-width text (a signed note), wrapped anywhere rather than cut. */
  mono(text: string): void {
    this.doc
      .font('mono')
      .fontSize(7)
      .text(printable(text, 4000).replaceAll('<U+000A>', '\n'), MARGIN, this.doc.y, {
        width: this.width,
      });
    this.doc.moveDown(0.3);
  }

  /** Label: value lines; the value wraps under itself. */
  facts(rows: [string, string][]): void {
    const labelWidth = 130;
    this.doc.fontSize(9);
    for (const [label, value] of rows) {
      const text = printable(value, 600);
      const h = Math.max(
        this.doc.font('regular').heightOfString(text, { width: this.width - labelWidth }),
        12,
      );
      this.ensure(h + 2);
      const y = this.doc.y;
      this.doc.font('bold').text(label, MARGIN, y, { width: labelWidth - 6 });
      this.doc
        .font('regular')
        .text(text, MARGIN + labelWidth, y, { width: this.width - labelWidth });
      this.doc.y = Math.max(this.doc.y, y + h) + 2;
    }
    this.doc.x = MARGIN;
  }

  /** A table that breaks across pages, repeating its header; long cells are cut. */
  table(columns: Column[], rows: (string | number | null)[][], empty = 'none'): void {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const size = 7.5;
    const lineHeight = this.doc.fontSize(size).currentLineHeight(true);
    const header = () => {
      const y = this.doc.y;
      this.doc.font('bold').fontSize(size);
      const h =
        Math.max(
          ...columns.map((c, i) =>
            this.doc.heightOfString(c.title, { width: widths[i]! - CELL_PAD * 2 }),
          ),
        ) +
        CELL_PAD * 2;
      this.doc.rect(MARGIN, y, this.width, h).fill('#e8e8e8').fillColor('black');
      let x = MARGIN;
      for (const [i, c] of columns.entries()) {
        this.doc.text(c.title, x + CELL_PAD, y + CELL_PAD, {
          width: widths[i]! - CELL_PAD * 2,
          align: c.align ?? 'left',
        });
        x += widths[i]!;
      }
      this.doc.y = y + h;
    };
    this.ensure(lineHeight * 3 + CELL_PAD * 4);
    header();
    if (rows.length === 0) {
      this.doc
        .font('regular')
        .fontSize(size)
        .text(empty, MARGIN + CELL_PAD, this.doc.y + CELL_PAD);
      this.doc.moveDown(0.5);
      return;
    }
    this.doc.font('regular').fontSize(size);
    for (const [r, row] of rows.slice(0, MAX_PRINTED_ROWS).entries()) {
      const texts = row.map((cell) => (cell === null ? '' : printable(String(cell), 400)));
      const heights = texts.map((t, i) =>
        Math.min(
          this.doc.heightOfString(t, { width: widths[i]! - CELL_PAD * 2 }),
          lineHeight * CELL_LINES,
        ),
      );
      const h = Math.max(lineHeight, ...heights) + CELL_PAD * 2;
      const bottom = this.doc.page.height - this.doc.page.margins.bottom;
      if (this.doc.y + h > bottom) {
        this.doc.addPage();
        header();
        this.doc.font('regular').fontSize(size);
      }
      const y = this.doc.y;
      if (r % 2 === 1) this.doc.rect(MARGIN, y, this.width, h).fill('#f6f6f6').fillColor('black');
      let x = MARGIN;
      for (const [i, t] of texts.entries()) {
        this.doc.text(t, x + CELL_PAD, y + CELL_PAD, {
          width: widths[i]! - CELL_PAD * 2,
          height: lineHeight * CELL_LINES,
          ellipsis: true,
          align: columns[i]!.align ?? 'left',
        });
        x += widths[i]!;
      }
      this.doc.y = y + h;
    }
    this.doc.x = MARGIN;
    if (rows.length > MAX_PRINTED_ROWS)
      this.paragraph(
        `… and ${rows.length - MAX_PRINTED_ROWS} more rows, not printed: the CSV and JSON of this report hold every row.`,
        8,
      );
    this.doc.moveDown(0.5);
  }

  /** The finished PDF, each page footed with the basis and "page n of m". */
  async bytes(): Promise<Uint8Array> {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const y = this.doc.page.height - MARGIN - FOOTER + 8;
      // Written inside the bottom margin: lift it so pdfkit does not start a new page.
      const bottom = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.doc
        .font('regular')
        .fontSize(7)
        .fillColor('#555555')
        .text(`${printable(this.footer, 300)}   ·   page ${i + 1} of ${range.count}`, MARGIN, y, {
          width: this.width,
          lineBreak: false,
        });
      this.doc.page.margins.bottom = bottom;
    }
    const done = new Promise<void>((resolve, reject) => {
      this.doc.on('end', resolve);
      this.doc.on('error', reject);
    });
    this.doc.end();
    await done;
    return new Uint8Array(Buffer.concat(this.chunks));
  }
}
