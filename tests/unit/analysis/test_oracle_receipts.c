/* A client's receipts joined to bgcopyd's attempts: tests/scenario/receipts.scn. */
#include "scenario_check.h"

int main(void)
{
	return scn_run_file("oracle receipts", "receipts.scn", NULL, 0);
}
