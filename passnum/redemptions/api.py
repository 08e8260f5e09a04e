from ninja import Router

router = Router(tags=["Encaissements"])
