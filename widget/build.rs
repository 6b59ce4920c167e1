// The widget's texts are built as the app's are.
include!("../build.rs");
