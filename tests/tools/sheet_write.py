#!/usr/bin/env python3
"""Writes a small XLSX or ODS workbook as Excel and LibreOffice store them,
for the import tests: what ogr2ogr cannot write (header cells with line
breaks, date cells beside text in one column, a title above the header).

    sheet_write.py OUT.xlsx|OUT.ods SPEC.json

SPEC: {"sheets": [{"name": "Data", "rows": [[cell, ...], ...]}, ...]}, rows
from row 1; a row null or [] is blank. A cell is a string (a text cell), a
number (a number cell), {"date": "2019-03-15"} or {"datetime":
"2019-03-15T18:00:00"} (a date cell: an Excel serial with a date format, an
ODS date value), or null (no cell).
"""
import datetime
import json
import sys
import zipfile
from xml.sax.saxutils import escape, quoteattr

X_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def serial(text):
    """An Excel date serial (days since 1899-12-30, the time as a fraction)."""
    d = datetime.datetime.fromisoformat(text)
    delta = d - datetime.datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def col_name(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path, sheets):
    strings, index = [], {}

    def shared(t):
        if t not in index:
            index[t] = len(strings)
            strings.append(t)
        return index[t]

    parts = []
    for sheet in sheets:
        out = [HEAD, f'<worksheet {X_NS} {R_NS}><sheetData>']
        for r, row in enumerate(sheet['rows'], start=1):
            if not row:
                continue
            out.append(f'<row r="{r}">')
            for c, cell in enumerate(row):
                ref = f'{col_name(c)}{r}'
                if cell is None:
                    continue
                if isinstance(cell, str):
                    out.append(f'<c r="{ref}" t="s"><v>{shared(cell)}</v></c>')
                elif isinstance(cell, (int, float)):
                    out.append(f'<c r="{ref}"><v>{cell!r}</v></c>')
                elif 'date' in cell:
                    out.append(f'<c r="{ref}" s="1"><v>{serial(cell["date"]):g}</v></c>')
                else:
                    out.append(f'<c r="{ref}" s="2"><v>{serial(cell["datetime"])!r}</v></c>')
            out.append('</row>')
        out.append('</sheetData></worksheet>')
        parts.append(''.join(out))
    n = len(sheets)
    ct = (HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.sheet.main+xml"/>'
          + ''.join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(n))
          + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    # Styles: 0 general, 1 a date (numFmtId 14), 2 a date and time (22).
    styles = (HEAD + f'<styleSheet {X_NS}><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
              '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
              '<cellXfs count="3"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="22" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', ct)
        z.writestr('_rels/.rels', HEAD + f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{PKG_REL}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr('xl/workbook.xml', HEAD + f'<workbook {X_NS} {R_NS}><sheets>'
                   + ''.join(f'<sheet name={quoteattr(s["name"])} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                             for i, s in enumerate(sheets)) + '</sheets></workbook>')
        z.writestr('xl/_rels/workbook.xml.rels', HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships">'
                   + ''.join(f'<Relationship Id="rId{i + 1}" Type="{PKG_REL}/worksheet" '
                             f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
                   + f'<Relationship Id="rId{n + 1}" Type="{PKG_REL}/styles" Target="styles.xml"/>'
                   f'<Relationship Id="rId{n + 2}" Type="{PKG_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        z.writestr('xl/styles.xml', styles)
        z.writestr('xl/sharedStrings.xml', HEAD + f'<sst {X_NS} count="{len(strings)}" uniqueCount="{len(strings)}">'
                   + ''.join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in strings) + '</sst>')
        for i, part in enumerate(parts):
            z.writestr(f'xl/worksheets/sheet{i + 1}.xml', part)


def ods_text(t):
    """A text cell's paragraphs: a line break is a new <text:p>, as Calc saves Alt+Enter."""
    return ''.join(f'<text:p>{escape(line)}</text:p>' for line in t.split('\n'))


def write_ods(path, sheets):
    body = []
    for sheet in sheets:
        body.append(f'<table:table table:name={quoteattr(sheet["name"])}>')
        for row in sheet['rows']:
            body.append('<table:table-row>')
            for cell in row or []:
                if cell is None:
                    body.append('<table:table-cell/>')
                elif isinstance(cell, str):
                    body.append(f'<table:table-cell office:value-type="string">{ods_text(cell)}</table:table-cell>')
                elif isinstance(cell, (int, float)):
                    body.append(f'<table:table-cell office:value-type="float" office:value="{cell!r}">'
                                f'<text:p>{cell!r}</text:p></table:table-cell>')
                else:
                    v = cell.get('date') or cell.get('datetime')
                    body.append(f'<table:table-cell office:value-type="date" office:date-value="{v}">'
                                f'<text:p>{v}</text:p></table:table-cell>')
            body.append('</table:table-row>')
        body.append('</table:table>')
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (HEAD + f'<office:document-content {ns} office:version="1.2"><office:body><office:spreadsheet>'
               + ''.join(body) + '</office:spreadsheet></office:body></office:document-content>')
    manifest = (HEAD + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
                '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, 'w') as z:
        # The mimetype first and stored, as the format requires.
        z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
        z.writestr('META-INF/manifest.xml', manifest, zipfile.ZIP_DEFLATED)
        z.writestr('content.xml', content, zipfile.ZIP_DEFLATED)


def main():
    path, spec = sys.argv[1], json.load(open(sys.argv[2], encoding='utf-8'))
    if path.endswith('.xlsx'):
        write_xlsx(path, spec['sheets'])
    elif path.endswith('.ods'):
        write_ods(path, spec['sheets'])
    else:
        sys.exit(f'sheet_write.py: {path}: .xlsx or .ods')


if __name__ == '__main__':
    main()
