//! A large tree turns transparent huge pages off for the process (Linux):
//! in a test binary of its own, as the setting is the whole process's.

#[cfg(target_os = "linux")]
#[test]
fn only_a_large_tree_turns_transparent_huge_pages_off() {
    use rustix::thread::transparent_huge_pages_are_disabled as off;
    match off() {
        Ok(false) => {}
        // A kernel without the setting, or a parent that turned it off.
        other => {
            eprintln!("not tested: huge pages already off or not settable ({other:?})");
            return;
        }
    }
    reftree::no_huge_pages_for_large_trees(reftree::LARGE_TREE - 1);
    assert!(!off().expect("readable"), "a small tree keeps them");
    reftree::no_huge_pages_for_large_trees(reftree::LARGE_TREE);
    assert!(off().expect("readable"), "a large tree turns them off");
}
