/* How deliveries are checked: tests/scenario/deliveries.scn. */
#include "scenario_check.h"

int main(void)
{
	return scn_run_file("oracle deliveries", "deliveries.scn", NULL, 0);
}
