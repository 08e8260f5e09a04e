"""The site's addresses, one module per feature, all under the ``www`` namespace."""

from .account import urls as account
from .checkbooks import urls as checkbooks
from .dashboard import urls as dashboard
from .engineering import urls as engineering
from .exports import urls as exports
from .followup import urls as followup
from .notifications import urls as notifications
from .opendata import urls as opendata
from .organisation import urls as organisation
from .pages import urls as pages
from .paths import urls as paths
from .providers import urls as providers
from .public import urls as public
from .redemptions import urls as redemptions
from .referrals import urls as referrals
from .reporting import urls as reporting
from .state_report import urls as state_report
from .statements import urls as statements

app_name = "www"

FEATURES = [
    pages,
    public,
    opendata,
    dashboard,
    organisation,
    referrals,
    checkbooks,
    followup,
    redemptions,
    providers,
    paths,
    statements,
    reporting,
    state_report,
    engineering,
    exports,
    notifications,
    account,
]

urlpatterns = [pattern for feature in FEATURES for pattern in feature.urlpatterns]
