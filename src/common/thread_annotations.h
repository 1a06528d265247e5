// Clang's thread-safety attributes as macros, so that `clang++ -Wthread-safety` checks at compile time
// that shared state is touched only under its lock (the ctest test `thread_safety` compiles every product
// .cc this way). Other compilers see empty macros. Put them on members and functions; the capabilities
// themselves are common::Mutex and common::SharedMutex (common/mutex.h), because libstdc++'s std::mutex
// carries no annotations.
//
// Adopting them in a class (e.g. a store's writer queue):
//   #include "common/mutex.h"
//   common::Mutex queue_mu_;                     // was std::mutex
//   std::deque<Pending> queue_ GUARDED_BY(queue_mu_);
//   void Drain() REQUIRES(queue_mu_);            // callers must hold it
//   common::MutexLock lock(queue_mu_);           // was std::lock_guard / std::unique_lock
//   while (queue_.empty()) queue_cv_.Wait(queue_mu_);  // common::CondVar, was std::condition_variable
// Clang's reference: https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define CIVICGRID_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CIVICGRID_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks ("mutex" names the kind in the warnings).
#define CAPABILITY(name) CIVICGRID_THREAD_ANNOTATION(capability(name))
// On a class: an RAII object that holds a capability from construction to destruction.
#define SCOPED_CAPABILITY CIVICGRID_THREAD_ANNOTATION(scoped_lockable)

// On a data member: reads need the capability held shared or exclusive, writes need it exclusive.
#define GUARDED_BY(x) CIVICGRID_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: the same for the data it points to (the pointer itself is free).
#define PT_GUARDED_BY(x) CIVICGRID_THREAD_ANNOTATION(pt_guarded_by(x))

// On a lock member: the order in which locks must be taken, to rule out deadlocks (-Wthread-safety-beta).
#define ACQUIRED_BEFORE(...) CIVICGRID_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) CIVICGRID_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: the caller must hold the capability (exclusive / at least shared).
#define REQUIRES(...) CIVICGRID_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) CIVICGRID_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// On a function: it takes the capability and returns holding it, or releases one the caller held.
#define ACQUIRE(...) CIVICGRID_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) CIVICGRID_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) CIVICGRID_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) CIVICGRID_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// Releases whichever way (shared or exclusive) the capability is held: for scoped locks of either kind.
#define RELEASE_GENERIC(...) CIVICGRID_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
// On a function returning bool: it took the capability when it returns the first argument.
#define TRY_ACQUIRE(...) CIVICGRID_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) CIVICGRID_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
// On a function: the caller must NOT hold the capability (the function takes it itself; no self-deadlock).
#define EXCLUDES(...) CIVICGRID_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: tells the analysis the capability is held here (checked at run time, if at all, by the
// function itself).
#define ASSERT_CAPABILITY(x) CIVICGRID_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) CIVICGRID_THREAD_ANNOTATION(assert_shared_capability(x))
// On a function returning a reference to a lock: which capability that is.
#define RETURN_CAPABILITY(x) CIVICGRID_THREAD_ANNOTATION(lock_returned(x))
// The escape hatch, for code the analysis cannot follow; say why beside it.
#define NO_THREAD_SAFETY_ANALYSIS CIVICGRID_THREAD_ANNOTATION(no_thread_safety_analysis)
