// main() for every Catch2 test executable (Catch2's implementation is in catch_impl.cc).
namespace seglog::test {
int RunCatch(int argc, char* argv[]);
}  // namespace seglog::test

int main(int argc, char* argv[]) { return seglog::test::RunCatch(argc, argv); }
