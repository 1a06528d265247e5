#include "domain/cases/case_kind.h"

#include "domain/cases/case_store.h"

namespace civicgrid::cases {

void CaseKind::Complete(CaseWrite& w) const {
  w.tally = Pack(TallyOf(w.after));
  w.next_alert = NextTimer(w.after);
}

}  // namespace civicgrid::cases
