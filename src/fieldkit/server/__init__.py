"""The service center: accounts, dispatch, intake, the sync endpoints, blob storage."""
