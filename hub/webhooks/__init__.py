"""``POST /hooks/{connector_instance}``: vendor change notifications become debounced runs."""
