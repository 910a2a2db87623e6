# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render the transcribed rows of the French (2024-11) and Dutch (2023) editions into Apple's page structure.

Apple's support pages put each section under ``<h2 class="gb-header">`` (with an ``id`` anchor in current
editions), an introductory ``<p class="gb-paragraph">``, then a ``gb-table`` whose first row holds the column
headers. The French page gets the anchors and its sub-headings as ``<h3>`` without anchors; the Dutch page of
the 2023 era has no anchors at all and only three columns, so the reader must map it by heading text.

Run once to refresh the committed fixtures: python tests/utils/render_article_fixtures.py
"""

from __future__ import annotations

import html
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "plugins" / "plugin_utils" / "fixtures"
OUT = FIXTURES / "article"

FR_HEADINGS = {
    "devicesetup": ("Configuration de l\u2019appareil", None),
    "devicemanagement": ("Gestion des appareils", None),
    "businessschool": ("Apple Business Manager et Apple School Manager", "Administrateurs et responsables"),
    "businessschoolusers": ("Apple Business Manager et Apple School Manager", "Personnel et élèves"),
    "businessessentials": ("Gestion des appareils Apple Business Essentials", None),
    "classroom": ("En classe et Pour l\u2019école", None),
    "software": ("Mises à jour logicielles", None),
    "appscontent": ("Apps et contenu supplémentaire", None),
    "carrier": ("Mises à jour des opérateurs", None),
    "contentcaching": ("Mise en cache de contenu", None),
    "beta": ("Mises à jour bêta", None),
    "diagnostics": ("Diagnostics Apple", None),
    "dns": ("Résolution DNS (Domain Name System)", None),
    "certificates": ("Validation des certificats", None),
    "appleaccount": ("Compte Apple", None),
    "icloud": ("iCloud", None),
    "aisirisearch": ("Apple Intelligence, Siri et recherche", None),
    "associateddomains": ("Domaines associés", None),
    "taptopay": ("Tap to Pay on iPhone", None),
    "idverifier": ("Vérificateur d\u2019identité sur iPhone", None),
}
FR_HEADER = ("Hôtes", "Ports", "Protocole", "Système d\u2019exploitation", "Description", "Prend en charge les proxys")
NL_PARENTS = {"macOS, iOS, iPadOS, watchOS en tvOS": "Software-updates", "App-notarisatie": "Apple Developer",
              "App-validatie": "Apple Developer", "Feedbackassistent": "Bèta-updates"}
NL_HEADER = ("Hosts", "Poorten", "Protocol")

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{title} - Apple Support</title>
<link rel="canonical" href="{url}"></head>
<body>
<main id="main" class="main" role="main">
<div id="sections" class="sections">
<h1 class="gb-header">{title}</h1>
<p class="gb-paragraph">{intro}</p>
{body}
</div>
</main>
</body>
</html>
"""


def _h(level: int, text: str, anchor: str | None = None) -> str:
    attr = f' id="{anchor}"' if anchor else ""
    return f'<h{level} class="gb-header"{attr}>{html.escape(text)}</h{level}>'


def _table(header: tuple, rows: list[tuple]) -> str:
    out = ['<div class="table-wrapper gb-table"><table class="gb-table"><tbody>',
           "<tr>" + "".join(f'<th><p class="gb-paragraph"><b>{html.escape(h)}</b></p></th>' for h in header) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td><p class="gb-paragraph">{html.escape(c)}</p></td>' for c in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def render_fr() -> str:
    rows = yaml.safe_load((FIXTURES / "source_rows_2024_11.yml").read_text(encoding="utf-8"))["rows"]
    body, last_parent = [], None
    for section, (parent, child) in FR_HEADINGS.items():
        section_rows = [(r["host"], r["ports"], r["protocol"], r["os"], r["description"], r["proxy"])
                        for r in rows if r["section"] == section]
        if parent != last_parent:
            body.append(_h(2, parent, None if child else section))
            last_parent = parent
        if child:
            body.append(_h(3, child))
        body.append('<p class="gb-paragraph">Les appareils Apple doivent pouvoir accéder aux hôtes suivants.</p>')
        body.append(_table(FR_HEADER, section_rows))
    body.append(_h(2, "Coupe-feu", "firewall"))
    body.append('<p class="gb-paragraph">Autorisez l\u2019accès à tout le trafic réseau de vos appareils Apple vers le '
                'bloc 17.0.0.0/8 d\u2019Apple.</p>')
    return PAGE.format(lang="fr-FR", title="Utiliser les produits Apple sur des réseaux d\u2019entreprise",
                       url="https://support.apple.com/fr-fr/101555",
                       intro="Découvrez quels hôtes et quels ports sont nécessaires.", body="\n".join(body))


def render_nl() -> str:
    rows = yaml.safe_load((FIXTURES / "source_rows_2023_nl.yml").read_text(encoding="utf-8"))["rows"]
    tables: dict[str, list] = {}
    for row in rows:
        tables.setdefault(row["table"], []).append((row["host"], row["ports"], row["protocol"]))
    body, last_parent = [], None
    for title, table_rows in tables.items():
        parent = NL_PARENTS.get(title)
        if parent and parent != last_parent:
            body.append(_h(2, parent))
        last_parent = parent
        body.append(_h(3 if parent else 2, title))
        body.append(_table(NL_HEADER, table_rows))
    return PAGE.format(lang="nl-NL", title="Apple producten op bedrijfsnetwerken gebruiken",
                       url="https://support.apple.com/nl-nl/HT210060",
                       intro="Ontdek welke hosts en poorten vereist zijn.", body="\n".join(body))


# Typographic quotes as character references: the parser reads the same text, and the fixtures stay ASCII-quoted.
TYPOGRAPHIC_QUOTES = {0x2018: "&lsquo;", 0x2019: "&rsquo;", 0x201C: "&ldquo;", 0x201D: "&rdquo;"}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "article-2024-11.fr.html").write_text(render_fr().translate(TYPOGRAPHIC_QUOTES), encoding="utf-8")
    (OUT / "article-2023.nl.html").write_text(render_nl().translate(TYPOGRAPHIC_QUOTES), encoding="utf-8")


if __name__ == "__main__":
    main()
