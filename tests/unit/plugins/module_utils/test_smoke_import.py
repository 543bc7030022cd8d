def test_collection_namespace_importable():
    import ansible_collections.victorops.oncall.plugins.module_utils as mu

    assert mu.__name__.endswith("victorops.oncall.plugins.module_utils")
