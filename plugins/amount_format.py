"""Show money columns with thousands separators in HTML pages ("1,200,000,000" rather than "1200000000.0").

Display only: sorting, filters, JSON and CSV keep the stored numbers.
"""

from datasette import hookimpl

#: Columns, in tables, views and query results, that hold amounts of money.
AMOUNT_COLUMNS = frozenset({
    "amount", "amount_eur", "amount_usd", "reported_amount", "equivalent_amount", "total_eur", "total_usd",
    "largest_eur",
})


@hookimpl
def render_cell(value, column):
    if column not in AMOUNT_COLUMNS or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
