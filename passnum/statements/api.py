from ninja import Router

router = Router(tags=["Relevés de remboursement"])
