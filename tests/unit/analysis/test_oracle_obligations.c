/* What is owed and how it ends: tests/scenario/obligations.scn. */
#include "scenario_check.h"

int main(void)
{
	return scn_run_file("oracle obligations", "obligations.scn", NULL, 0);
}
