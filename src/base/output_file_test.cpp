// Regression tests for issue 9 ("no output can destroy a file it should not"):
// the output-path guard, temporaries that a killed writer leaves, committing
// two outputs together, and the lock of in-place rewrites.
#include "base/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace outcore {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/outcore_output_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  static void Put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string Get(const std::string& path) {
    std::stringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  static Status Commit(const std::string& path, const std::string& text) {
    OC_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path, "the output"));
    OC_RETURN_IF_ERROR(out->Write(text.data(), text.size()));
    return out->Commit();
  }

  std::string dir_;
};

// Issue 9, item 1: `--reject in.csv` overwrote the input.
TEST_F(OutputFileTest, Issue9RejectsPathThatIsTheInputIsRefused) {
  Put(Path("in.csv"), "a\n1\n");
  auto checked = CheckOutputPath(Path("in.csv"), "the rejects file", {{Path("in.csv"), "the input"}});
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(checked.status().message().find("the rejects file " + Path("in.csv") + " is also the input"),
            std::string::npos)
      << checked.status().message();
  // The same file by another spelling, a symlink or a hard link.
  ASSERT_EQ(::symlink(Path("in.csv").c_str(), Path("link.csv").c_str()), 0);
  ASSERT_EQ(::link(Path("in.csv").c_str(), Path("hard.csv").c_str()), 0);
  for (const std::string& other : {dir_ + "/./in.csv", Path("link.csv"), Path("hard.csv")}) {
    EXPECT_FALSE(CheckOutputPath(other, "the rejects file", {{Path("in.csv"), "the input"}}).ok()) << other;
  }
  EXPECT_TRUE(CheckOutputPath(Path("rejects.csv"), "the rejects file", {{Path("in.csv"), "the input"}}).ok());
}

// Issue 9, item 1: `--reject same.oc -o same.oc`, neither existing yet.
TEST_F(OutputFileTest, Issue9TwoOutputsAtTheSamePlaceAreRefusedBeforeEitherExists) {
  fs::create_directory(Path("sub"));
  auto checked =
      CheckOutputPath(Path("sub/../same.oc"), "the rejects file", {{Path("same.oc"), "the output"}});
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.status().message().find("is also the output"), std::string::npos);
  EXPECT_TRUE(CheckOutputPath(Path("other.oc"), "the rejects file", {{Path("same.oc"), "the output"}}).ok());
}

// Issue 9, item 2: writers renamed over devices, FIFOs and folders.
TEST_F(OutputFileTest, Issue9DevicesFifosSocketsAndFoldersAreRefused) {
  ASSERT_EQ(::mkfifo(Path("fifo").c_str(), 0644), 0);
  fs::create_directory(Path("folder"));
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", Path("sock").c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::pair<std::string, std::string> cases[] = {{"/dev/null", "a character device"},
                                                       {Path("fifo"), "a FIFO"},
                                                       {Path("sock"), "a socket"},
                                                       {Path("folder"), "a folder"}};
  for (const auto& [path, kind] : cases) {
    auto checked = CheckOutputPath(path, "the output");
    ASSERT_FALSE(checked.ok()) << path;
    EXPECT_NE(checked.status().message().find("the output " + path + " is " + kind), std::string::npos)
        << checked.status().message();
    // The writer refuses as well, and leaves nothing behind.
    EXPECT_FALSE(OutputFile::Create(path, "the output").ok()) << path;
  }
  ::close(sock);
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(Names(), (std::vector<std::string>{"fifo", "folder", "sock"}));
}

// Issue 9, item 2: normalize on a symlink replaced the link and left the real file.
TEST_F(OutputFileTest, Issue9CommitThroughASymlinkReplacesTheRealFile) {
  fs::create_directory(Path("real"));
  Put(Path("real/data.oc"), "old");
  ASSERT_EQ(::symlink("real/data.oc", Path("link.oc").c_str()), 0);
  ASSERT_TRUE(Commit(Path("link.oc"), "new").ok());
  EXPECT_TRUE(fs::is_symlink(Path("link.oc")));
  EXPECT_EQ(Get(Path("real/data.oc")), "new");
  EXPECT_EQ(fs::read_symlink(Path("link.oc")), "real/data.oc");
  EXPECT_EQ(Names(), (std::vector<std::string>{"link.oc", "real"}));
}

TEST_F(OutputFileTest, ADanglingSymlinkOrAMissingFolderIsRefusedByName) {
  ASSERT_EQ(::symlink("nowhere.oc", Path("dangling.oc").c_str()), 0);
  auto dangling = CheckOutputPath(Path("dangling.oc"), "the output");
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("symlink to a missing file"), std::string::npos);
  auto missing = CheckOutputPath(Path("no/such/x.oc"), "the output");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("the folder " + Path("no/such")), std::string::npos)
      << missing.status().message();
}

TEST_F(OutputFileTest, AbortedOrDestroyedWritersLeaveNothingAndTheOldFileIsIntact) {
  Put(Path("out.oc"), "old");
  {
    auto out = OutputFile::Create(Path("out.oc"), "the output");
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Write("new", 3).ok());
    EXPECT_EQ(Names().size(), 2u);  // the temporary while writing
  }
  EXPECT_EQ(Names(), (std::vector<std::string>{"out.oc"}));
  EXPECT_EQ(Get(Path("out.oc")), "old");
}

TEST_F(OutputFileTest, AReplacedFileKeepsItsMode) {
  Put(Path("private.oc"), "old");
  ASSERT_EQ(::chmod(Path("private.oc").c_str(), 0600), 0);
  ASSERT_TRUE(Commit(Path("private.oc"), "new").ok());
  struct stat st;
  ASSERT_EQ(::stat(Path("private.oc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Issue 9, item 3: output and rejects commit together or not at all.
TEST_F(OutputFileTest, Issue9WhenTheLastRenameFailsTheFirstTargetGetsItsOldContentsBack) {
  Put(Path("rejects.csv"), "old rejects");
  auto rejects = OutputFile::Create(Path("rejects.csv"), "the rejects file");
  auto output = OutputFile::Create(Path("out.oc"), "the output");
  ASSERT_TRUE(rejects.ok() && output.ok());
  ASSERT_TRUE((*rejects)->Write("new rejects", 11).ok());
  ASSERT_TRUE((*output)->Write("new output", 10).ok());
  fs::create_directory(Path("out.oc"));  // the rename over it fails
  Put(Path("out.oc/keep"), "x");
  Status status = CommitTogether({rejects->get(), output->get()});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(Path("out.oc")), std::string::npos) << status.message();
  EXPECT_EQ(Get(Path("rejects.csv")), "old rejects");
  rejects->reset();
  output->reset();
  EXPECT_EQ(Names(), (std::vector<std::string>{"out.oc", "rejects.csv"}));  // no temporary, no backup
}

TEST_F(OutputFileTest, Issue9AFirstTargetThatDidNotExistIsRemovedWhenTheCommitFails) {
  auto rejects = OutputFile::Create(Path("rejects.csv"), "the rejects file");
  auto output = OutputFile::Create(Path("out.oc"), "the output");
  ASSERT_TRUE(rejects.ok() && output.ok());
  fs::create_directory(Path("out.oc"));
  Put(Path("out.oc/keep"), "x");
  EXPECT_FALSE(CommitTogether({rejects->get(), output->get()}).ok());
  rejects->reset();
  output->reset();
  EXPECT_EQ(Names(), (std::vector<std::string>{"out.oc"}));
}

TEST_F(OutputFileTest, CommitTogetherReplacesBoth) {
  Put(Path("rejects.csv"), "old");
  Put(Path("out.oc"), "old");
  auto rejects = OutputFile::Create(Path("rejects.csv"), "the rejects file");
  auto output = OutputFile::Create(Path("out.oc"), "the output");
  ASSERT_TRUE(rejects.ok() && output.ok());
  ASSERT_TRUE((*rejects)->Write("r", 1).ok());
  ASSERT_TRUE((*output)->Write("o", 1).ok());
  ASSERT_TRUE(CommitTogether({rejects->get(), output->get()}).ok());
  EXPECT_EQ(Get(Path("rejects.csv")), "r");
  EXPECT_EQ(Get(Path("out.oc")), "o");
  EXPECT_EQ(Names(), (std::vector<std::string>{"out.oc", "rejects.csv"}));
}

// Issue 9, item 7: SIGKILL left hidden temporaries that nothing removed.
TEST_F(OutputFileTest, Issue9ATemporaryOfAKilledWriterIsRemovedByTheNextWriter) {
  Put(Path("out.oc"), "old");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto out = OutputFile::Create(Path("out.oc"), "the output");
    if (out.ok()) static_cast<void>((*out)->Write("partial", 7));
    char byte = out.ok() ? 'y' : 'n';
    static_cast<void>(::write(ready[1], &byte, 1));
    ::pause();  // killed here, mid-write
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_EQ(Names().size(), 2u);
  // While the writer lives, nothing is removed.
  EXPECT_TRUE(RemoveStaleTemps(dir_).empty());
  EXPECT_EQ(Names().size(), 2u);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  std::vector<RemovedTemp> removed = RemoveStaleTemps(dir_);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].pid, child);
  EXPECT_EQ(removed[0].bytes, 7u);
  EXPECT_EQ(Names(), (std::vector<std::string>{"out.oc"}));
  EXPECT_EQ(Get(Path("out.oc")), "old");
}

TEST_F(OutputFileTest, Issue9ALockedTemporaryIsKeptEvenWhenItsPidLooksGone) {
  // A writer in another pid namespace: its pid means nothing here, its flock does.
  pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);
  const std::string temp = Path(".out.oc.tmp-" + std::to_string(gone) + "-0");
  int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  // Hold the lock from another open file description, as another process would.
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  Put(Path("notes.tmp-1-2"), "not hidden: not ours");
  Put(Path(".hidden"), "not a temporary name");
  EXPECT_TRUE(RemoveStaleTemps(dir_).empty());
  ::close(fd);
  EXPECT_EQ(RemoveStaleTemps(dir_).size(), 1u);
  EXPECT_EQ(Names(), (std::vector<std::string>{".hidden", "notes.tmp-1-2"}));
}

// Issue 9, item 8: two in-place writers lost an update.
TEST_F(OutputFileTest, Issue9ASecondLockerFailsAtOnceWithNoWaitNamingTheHolder) {
  Put(Path("data.oc"), "v1");
  auto first = FileLock::Acquire(Path("data.oc"));
  ASSERT_TRUE(first.ok());
  LockWait no_wait;
  no_wait.wait = false;
  auto second = FileLock::Acquire(Path("data.oc"), no_wait);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(Path("data.oc") + " is being written by another process"),
            std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.status().message();
}

TEST_F(OutputFileTest, Issue9AWaitingLockerLocksTheFileThatReplacedTheOneItWaitedFor) {
  Put(Path("data.oc"), "v1");
  auto first = FileLock::Acquire(Path("data.oc"));
  ASSERT_TRUE(first.ok());
  std::atomic<bool> told{false};
  std::thread releaser([&] {
    while (!told) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // The first writer commits its new file, then lets go of the old one.
    auto out = OutputFile::Create(Path("data.oc"), "the output", &*first);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Write("v2", 2).ok());
    ASSERT_TRUE((*out)->Commit().ok());
    *first = FileLock();
  });
  std::string message;
  LockWait wait;
  wait.waiting = [&](const std::string& m) {
    message = m;
    told = true;
  };
  auto second = FileLock::Acquire(Path("data.oc"), wait);
  releaser.join();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(message.find("waiting for the lock on " + Path("data.oc")), std::string::npos) << message;
  EXPECT_TRUE(second->Covers(Path("data.oc")));
  EXPECT_EQ(Get(Path("data.oc")), "v2");
}

TEST_F(OutputFileTest, WaitingForALockStopsWhenCancelled) {
  Put(Path("data.oc"), "v1");
  auto first = FileLock::Acquire(Path("data.oc"));
  ASSERT_TRUE(first.ok());
  std::atomic<bool> cancel{true};
  LockWait wait;
  wait.cancel = &cancel;
  auto second = FileLock::Acquire(Path("data.oc"), wait);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kCancelled);
}

TEST_F(OutputFileTest, AnUnnamedTemporaryLeavesNoName) {
  auto fd = OpenUnnamedTemp(Path("out.npz"));
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  EXPECT_EQ(::write(*fd, "spill", 5), 5);
  EXPECT_TRUE(Names().empty());
  ::close(*fd);
}

}  // namespace
}  // namespace outcore
