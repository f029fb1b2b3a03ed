"""The HTTP gateway: ministries that speak only HTTP submit with a bearer token and get the outcome back."""
