"""The market list as a spreadsheet: one row per market, with its obligation and progress."""

from decimal import Decimal

from clauses.exports import csv_response, xlsx_response

HEADER = [
    "Référence",
    "Objet",
    "Donneur d'ordre",
    "Type d'acheteur",
    "Nature",
    "Secteur",
    "Fondement de la clause",
    "Statut",
    "Montant estimé HT (€)",
    "Date d'attribution",
    "Attribution prévue",
    "Début d'exécution",
    "Fin d'exécution",
    "Commune",
    "QPV",
    "Lots",
    "Heures exigées",
    "Heures réalisées",
    "Heures restantes",
    "Réalisé (%)",
    "Projection fin de marché (h)",
    "Rythme",
]


def market_rows(markets):
    """`markets` carry `.progress` (marches.progress.attach_market_progress) and `lot_count`."""
    for m in markets:
        p = m.progress
        yield [
            m.reference,
            m.title,
            m.buyer.name,
            m.buyer.get_buyer_type_display(),
            m.get_nature_display(),
            m.get_sector_display(),
            m.get_legal_basis_display(),
            m.get_status_display(),
            m.estimated_amount_ht,
            m.attribution_date,
            m.expected_attribution_date,
            m.start_date,
            m.end_date,
            m.city,
            m.get_qpv_display(),
            m.lot_count,
            p.required,
            p.done,
            p.remaining,
            p.percent.quantize(Decimal("0.1")) if p.percent is not None else None,
            p.projected,
            p.pace_label,
        ]


def export_markets(markets, fmt, filename):
    rows = list(market_rows(markets))
    if fmt == "xlsx":
        return xlsx_response(filename, HEADER, rows, "Marchés")
    return csv_response(filename, HEADER, rows)
